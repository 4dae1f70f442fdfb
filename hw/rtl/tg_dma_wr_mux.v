`resetall
`timescale 1ns / 1ps
`default_nettype none

// DMA write mux: two bursty write sources onto one DMA write port.
//
// A burst (beats up to tlast) is never interleaved with another. Input 0 is
// preferred when both start at once: it carries short index writebacks that
// should not wait behind a stream of records.
module tg_dma_wr_mux #
(
    // Bytes a beat of the DMA write port
    parameter DATA_BYTES = 8
)
(
    input  wire          clk,
    input  wire          rst,

    input  wire [DATA_BYTES*8-1:0] s0_axis_tdata,
    input  wire [DATA_BYTES-1:0]   s0_axis_tkeep,
    input  wire          s0_axis_tlast,
    input  wire [63:0]   s0_axis_tuser,
    input  wire          s0_axis_tvalid,
    output wire          s0_axis_tready,

    input  wire [DATA_BYTES*8-1:0] s1_axis_tdata,
    input  wire [DATA_BYTES-1:0]   s1_axis_tkeep,
    input  wire          s1_axis_tlast,
    input  wire [63:0]   s1_axis_tuser,
    input  wire          s1_axis_tvalid,
    output wire          s1_axis_tready,

    output wire [DATA_BYTES*8-1:0] m_axis_tdata,
    output wire [DATA_BYTES-1:0]   m_axis_tkeep,
    output wire          m_axis_tlast,
    output wire [63:0]   m_axis_tuser,
    output wire          m_axis_tvalid,
    input  wire          m_axis_tready
);

reg locked_reg = 1'b0;
reg sel_reg = 1'b0;

// inside a burst keep the source; between bursts prefer input 0
wire sel = locked_reg ? sel_reg : !s0_axis_tvalid;

assign m_axis_tdata = sel ? s1_axis_tdata : s0_axis_tdata;
assign m_axis_tkeep = sel ? s1_axis_tkeep : s0_axis_tkeep;
assign m_axis_tlast = sel ? s1_axis_tlast : s0_axis_tlast;
assign m_axis_tuser = sel ? s1_axis_tuser : s0_axis_tuser;
assign m_axis_tvalid = sel ? s1_axis_tvalid : s0_axis_tvalid;
assign s0_axis_tready = !sel && m_axis_tready;
assign s1_axis_tready = sel && m_axis_tready;

always @(posedge clk) begin
    if (m_axis_tvalid && m_axis_tready) begin
        locked_reg <= !m_axis_tlast;
        sel_reg <= sel;
    end

    if (rst) begin
        locked_reg <= 1'b0;
        sel_reg <= 1'b0;
    end
end

endmodule

`resetall
