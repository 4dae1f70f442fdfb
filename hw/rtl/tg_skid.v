`resetall
`timescale 1ns / 1ps
`default_nettype none

// Skid buffer: a pipeline register between a source and a sink whose ready
// toward the source is a register, so the sink's ready never reaches into the
// source's logic. One record a cycle in steady flow; the output is a
// register (no multiplexer after it). When the sink stalls, the record
// arriving in that cycle waits in the skid register and the source sees
// ready low from the next cycle on.
module tg_skid #
(
    parameter DATA_WIDTH = 64
)
(
    input  wire                   clk,
    input  wire                   rst,

    input  wire [DATA_WIDTH-1:0]  s_data,
    input  wire                   s_valid,
    output wire                   s_ready,

    output wire [DATA_WIDTH-1:0]  m_data,
    output wire                   m_valid,
    input  wire                   m_ready
);

reg                  m_valid_reg = 1'b0;
reg [DATA_WIDTH-1:0] m_data_reg = {DATA_WIDTH{1'b0}};
reg                  skid_valid_reg = 1'b0;
reg [DATA_WIDTH-1:0] skid_data_reg = {DATA_WIDTH{1'b0}};

assign s_ready = !skid_valid_reg;
assign m_data = m_data_reg;
assign m_valid = m_valid_reg;

always @(posedge clk) begin
    if (!m_valid_reg || m_ready) begin
        // the output register is free this cycle: the waiting record first
        if (skid_valid_reg) begin
            m_data_reg <= skid_data_reg;
            skid_valid_reg <= 1'b0;
        end else if (s_valid) begin
            m_data_reg <= s_data;
        end
        m_valid_reg <= skid_valid_reg || s_valid;
    end else if (s_valid && !skid_valid_reg) begin
        skid_data_reg <= s_data;
        skid_valid_reg <= 1'b1;
    end

    if (rst) begin
        m_valid_reg <= 1'b0;
        skid_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
