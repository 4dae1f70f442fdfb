`resetall
`timescale 1ns / 1ps
`default_nettype none

// Latency statistics of a stream of samples (cycles): last, lat_min, lat_max, count,
// sum and a 32-bin histogram. Bins 0..23 count samples of exactly that many
// cycles; bin 24 counts 24..31, 25 32..63, doubling, and 31 counts 2048 and
// more, so short latencies are exact and long tails still land somewhere.
//
// Two stages: a sample and its bin are registered first, then every figure
// moves (a bin's priority logic and a 64-bit adder in one cycle would be 13
// LUT levels). Each bin has its own incrementer, enabled by its bit of the
// registered one-hot bin: no bin is read through a multiplexer on its way to
// an adder. A figure therefore counts a sample 2 cycles after it came; a
// clear drops a sample still in the first stage, as it drops every figure.
module tg_lat_hist
(
    input  wire         clk,
    input  wire         rst,
    input  wire         clear,

    input  wire         sample_valid,
    input  wire [31:0]  sample,

    input  wire [4:0]   bin_sel,
    output reg  [31:0]  last = 32'd0,
    output reg  [31:0]  lat_min = 32'hffff_ffff,
    output reg  [31:0]  lat_max = 32'd0,
    output reg  [63:0]  count = 64'd0,
    output reg  [63:0]  sum = 64'd0,
    output wire [63:0]  bin_count
);

reg [63:0] hist [0:31];

integer i;
initial begin
    for (i = 0; i < 32; i = i + 1) hist[i] = 64'd0;
end

// the sample's bin, one-hot, each bit from its own compare (no priority
// encoder in front of a decoder)
function [31:0] bin_onehot(input [31:0] x);
    integer k;
    reg low;                               // x < 32
    begin
        low = ~|x[31:5];
        for (k = 0; k < 24; k = k + 1) begin
            bin_onehot[k] = low && x[4:0] == k[4:0];
        end
        bin_onehot[24] = low && x[4] && x[3];                      // 24..31
        for (k = 5; k <= 10; k = k + 1) begin
            bin_onehot[20 + k] = x[k] && (x >> (k + 1)) == 32'd0;     // 2^k .. 2^(k+1)-1
        end
        bin_onehot[31] = |x[31:11];                                // 2048 and more
    end
endfunction

assign bin_count = hist[bin_sel];

reg        s_valid = 1'b0;
reg [31:0] s_sample = 32'd0;
reg [31:0] s_bin = 32'd0;                  // one-hot

always @(posedge clk) begin
    s_valid <= sample_valid;
    s_sample <= sample;
    s_bin <= bin_onehot(sample);
    if (s_valid) begin
        last <= s_sample;
        if (s_sample < lat_min) lat_min <= s_sample;
        if (s_sample > lat_max) lat_max <= s_sample;
        count <= count + 64'd1;
        sum <= sum + {32'd0, s_sample};
        for (i = 0; i < 32; i = i + 1) begin
            if (s_bin[i]) hist[i] <= hist[i] + 64'd1;
        end
    end
    if (rst || clear) begin
        s_valid <= 1'b0;
        last <= 32'd0;
        lat_min <= 32'hffff_ffff;
        lat_max <= 32'd0;
        count <= 64'd0;
        sum <= 64'd0;
        for (i = 0; i < 32; i = i + 1) hist[i] <= 64'd0;
    end
end

endmodule

`resetall
