`resetall
`timescale 1ns / 1ps
`default_nettype none

// tg_gate's input to tg_risk: the kill's (its record with the flag bit as
// the kill now stands), x's, or the order's, and whether the kill is due
// (the gate's kill state differs from what tg_risk was last told). Every
// output bit reads at most six inputs, all registers or the order stream's
// fields: one LUT. A hierarchy level of its own: inline, ABC built the
// kill's flags and the pick three LUT levels deep in front of stage A's
// carry chains, where it saw spare depth.
(* keep_hierarchy *)
module tg_gate_in_pick #
(
    parameter integer W = 197,
    parameter [W-1:0] KILL_BUS = {W{1'b0}},   // the kill's record, its flag bit 0
    parameter integer KILL_FLAG = 0            // that bit: the kill on (1) or off
)
(
    input  wire         kill_engaged,          // the host's kill switch
    input  wire         wd_tripped,            // the watchdog's
    input  wire         kill_sent,             // what tg_risk was last told
    input  wire         x_valid,
    input  wire [W-1:0] x_bus,
    input  wire [W-1:0] ord_bus,
    output wire         eff_kill,              // the kill as it stands
    output wire         kill_due,              // ...unlike what tg_risk was told
    output wire [W-1:0] in_bus
);

assign eff_kill = kill_engaged || wd_tripped;
assign kill_due = eff_kill != kill_sent;
wire [W-1:0] kill_bus = KILL_BUS | ({{(W-1){1'b0}}, eff_kill} << KILL_FLAG);
assign in_bus = kill_due ? kill_bus : x_valid ? x_bus : ord_bus;

endmodule

`resetall
