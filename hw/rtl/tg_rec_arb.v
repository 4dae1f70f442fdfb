`resetall
`timescale 1ns / 1ps
`default_nettype none

// Round-robin arbiter for two single-beat record streams.
//
// When both inputs are valid the one not served last goes first, so neither
// a flood of frame summaries nor of command answers can starve the other.
module tg_rec_arb #
(
    // Record width in bits
    parameter DATA_WIDTH = 512
)
(
    input  wire                   clk,
    input  wire                   rst,

    input  wire [DATA_WIDTH-1:0]  s0_axis_tdata,
    input  wire                   s0_axis_tvalid,
    output wire                   s0_axis_tready,

    input  wire [DATA_WIDTH-1:0]  s1_axis_tdata,
    input  wire                   s1_axis_tvalid,
    output wire                   s1_axis_tready,

    output wire [DATA_WIDTH-1:0]  m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);

reg last_reg = 1'b1;

wire pick1 = s1_axis_tvalid && (!s0_axis_tvalid || !last_reg);

assign m_axis_tdata = pick1 ? s1_axis_tdata : s0_axis_tdata;
assign m_axis_tvalid = s0_axis_tvalid || s1_axis_tvalid;
assign s0_axis_tready = !pick1 && m_axis_tready;
assign s1_axis_tready = pick1 && m_axis_tready;

always @(posedge clk) begin
    if (m_axis_tvalid && m_axis_tready) begin
        last_reg <= pick1;
    end

    if (rst) begin
        last_reg <= 1'b1;
    end
end

endmodule

`resetall
