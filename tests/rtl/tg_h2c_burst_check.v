`resetall
`timescale 1ns / 1ps
`default_nettype none

// ok: tg_h2c_burst's read size is the one its adder-free logic stands for
// (the doorbell's lead modulo 16, 15 where it was 16 or more ahead or the
// low bits are equal, at most the records to the wrap), written here with
// the adder and the compare. The test yosys-h2c-burst-equiv proves it with
// Yosys's SAT solver for every input.
module tg_h2c_burst_check
(
    input  wire [3:0] prod_lo,
    input  wire [3:0] fetch_lo,
    input  wire       avail16,
    input  wire [3:0] wrap_lim,
    output wire       ok
);

wire [3:0] burst_n;
tg_h2c_burst dut (.prod_lo(prod_lo), .fetch_lo(fetch_lo), .avail16(avail16), .wrap_lim(wrap_lim),
                  .burst_n(burst_n));
wire [3:0] avail_low = prod_lo - fetch_lo;
wire [3:0] avail_lim = avail16 || avail_low == 4'd0 ? 4'd15 : avail_low;
assign ok = burst_n == (avail_lim < wrap_lim ? avail_lim : wrap_lim);

endmodule

`resetall
