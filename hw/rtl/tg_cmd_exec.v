`resetall
`timescale 1ns / 1ps
`default_nettype none

// Command executor: carries out H2C command records.
//
// LOOPBACK is answered with a LOOPBACK event (tag, payload and the cycle the
// command was fetched); NOP is consumed; any other opcode is answered with a
// CMD_ERROR event and counted, so the host always learns the fate of a
// command it sent. ORDER commands pass to the risk gate, whose decision
// events answer them.
module tg_cmd_exec
(
    input  wire          clk,
    input  wire          rst,

    input  wire [63:0]   cycle,

    input  wire [511:0]  s_axis_cmd_tdata,
    input  wire [63:0]   s_axis_cmd_tuser,
    input  wire          s_axis_cmd_tvalid,
    output wire          s_axis_cmd_tready,

    output wire [511:0]  m_axis_ord_tdata,
    output wire          m_axis_ord_tvalid,
    input  wire          m_axis_ord_tready,

    output wire [511:0]  m_axis_evt_tdata,
    output wire          m_axis_evt_tvalid,
    input  wire          m_axis_evt_tready,

    output wire          cmd_error_pulse
);

`include "tg_card_defs.vh"

localparam [7:0] REASON_UNKNOWN_OPCODE = 8'd1;

reg [511:0] evt_reg = 512'd0, evt_next;
reg evt_valid_reg = 1'b0, evt_valid_next;
reg cmd_error_pulse_reg = 1'b0, cmd_error_pulse_next;

wire [7:0] opcode = s_axis_cmd_tdata[TG_H2C_OPCODE_LSB +: TG_H2C_OPCODE_W];
wire [31:0] tag = s_axis_cmd_tdata[TG_H2C_TAG_LSB +: TG_H2C_TAG_W];

wire is_order = opcode == TG_H2C_OP_ORDER;
assign m_axis_ord_tdata = s_axis_cmd_tdata;
assign m_axis_ord_tvalid = s_axis_cmd_tvalid && is_order;
assign s_axis_cmd_tready = is_order ? m_axis_ord_tready : (!evt_valid_reg || m_axis_evt_tready);
assign m_axis_evt_tdata = evt_reg;
assign m_axis_evt_tvalid = evt_valid_reg;
assign cmd_error_pulse = cmd_error_pulse_reg;

always @* begin
    evt_next = evt_reg;
    evt_valid_next = evt_valid_reg && !m_axis_evt_tready;
    cmd_error_pulse_next = 1'b0;

    if (s_axis_cmd_tvalid && s_axis_cmd_tready) begin
        evt_next = 512'd0;
        evt_next[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = cycle;
        case (opcode)
            TG_H2C_OP_NOP, TG_H2C_OP_ORDER: begin
            end
            TG_H2C_OP_LOOPBACK: begin
                evt_next[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_LOOPBACK;
                evt_next[TG_C2H_LOOPBACK_CMD_CYCLE_LSB +: TG_C2H_LOOPBACK_CMD_CYCLE_W] = s_axis_cmd_tuser;
                evt_next[TG_C2H_LOOPBACK_TAG_LSB +: TG_C2H_LOOPBACK_TAG_W] = tag;
                evt_next[TG_C2H_LOOPBACK_PAYLOAD_LSB +: TG_C2H_LOOPBACK_PAYLOAD_W] =
                    s_axis_cmd_tdata[TG_H2C_LOOPBACK_PAYLOAD_LSB +: TG_H2C_LOOPBACK_PAYLOAD_W];
                evt_valid_next = 1'b1;
            end
            default: begin
                evt_next[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_CMD_ERROR;
                evt_next[TG_C2H_CMD_ERROR_TAG_LSB +: TG_C2H_CMD_ERROR_TAG_W] = tag;
                evt_next[TG_C2H_CMD_ERROR_OPCODE_LSB +: TG_C2H_CMD_ERROR_OPCODE_W] = opcode;
                evt_next[TG_C2H_CMD_ERROR_REASON_LSB +: TG_C2H_CMD_ERROR_REASON_W] = REASON_UNKNOWN_OPCODE;
                evt_valid_next = 1'b1;
                cmd_error_pulse_next = 1'b1;
            end
        endcase
    end
end

always @(posedge clk) begin
    evt_reg <= evt_next;
    evt_valid_reg <= evt_valid_next;
    cmd_error_pulse_reg <= cmd_error_pulse_next;

    if (rst) begin
        evt_valid_reg <= 1'b0;
        cmd_error_pulse_reg <= 1'b0;
    end
end

endmodule

`resetall
