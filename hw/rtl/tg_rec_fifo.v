`resetall
`timescale 1ns / 1ps
`default_nettype none

// Synchronous FIFO of single-beat records.
module tg_rec_fifo #
(
    // Record width in bits
    parameter DATA_WIDTH = 512,
    // log2 of the number of entries
    parameter DEPTH_LOG2 = 5
)
(
    input  wire                   clk,
    input  wire                   rst,

    input  wire [DATA_WIDTH-1:0]  s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,

    output wire [DATA_WIDTH-1:0]  m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);

initial begin
    if (DEPTH_LOG2 < 1 || DEPTH_LOG2 > 12) begin
        $error("tg_rec_fifo: DEPTH_LOG2 must be 1..12");
        $finish;
    end
end

reg [DATA_WIDTH-1:0] mem [0:(1<<DEPTH_LOG2)-1];
reg [DEPTH_LOG2:0] wr_ptr_reg = 0;
reg [DEPTH_LOG2:0] rd_ptr_reg = 0;

wire empty = wr_ptr_reg == rd_ptr_reg;
wire full = wr_ptr_reg == (rd_ptr_reg ^ {1'b1, {DEPTH_LOG2{1'b0}}});

assign s_axis_tready = !full;
assign m_axis_tvalid = !empty;
assign m_axis_tdata = mem[rd_ptr_reg[DEPTH_LOG2-1:0]];

always @(posedge clk) begin
    if (s_axis_tvalid && !full) begin
        mem[wr_ptr_reg[DEPTH_LOG2-1:0]] <= s_axis_tdata;
        wr_ptr_reg <= wr_ptr_reg + 1'b1;
    end
    if (m_axis_tready && !empty) begin
        rd_ptr_reg <= rd_ptr_reg + 1'b1;
    end

    if (rst) begin
        wr_ptr_reg <= 0;
        rd_ptr_reg <= 0;
    end
end

endmodule

`resetall
