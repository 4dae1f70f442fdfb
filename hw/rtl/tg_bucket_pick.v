`resetall
`timescale 1ns / 1ps
`default_nettype none

// tg_risk's rate bucket after an order takes, max(tat, t) + period, behind
// its carry chains: the bucket as the order ahead leaves it (sel) or as the
// table holds it, each tat + period where tat is later than t (gt_*), else
// t + period. Every output bit reads six inputs: one LUT6 after the chains.
// A hierarchy level of its own: inline, ABC saw the chains' ends arrive
// with everything else and built the pick two and three LUT levels deep.
(* keep_hierarchy *)
module tg_bucket_pick #
(
    parameter integer W = 64
)
(
    input  wire         sel,              // the order ahead's bucket
    input  wire         gt_a,             // its tat > t
    input  wire [W-1:0] per_a,            // its tat + period
    input  wire         gt_b,             // the table's tat > t
    input  wire [W-1:0] per_b,            // the table's tat + period
    input  wire [W-1:0] t_per,            // t + period
    output wire [W-1:0] y
);

assign y = sel ? (gt_a ? per_a : t_per) : (gt_b ? per_b : t_per);

endmodule

`resetall
