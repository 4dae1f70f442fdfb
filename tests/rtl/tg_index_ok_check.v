`resetall
`timescale 1ns / 1ps
`default_nettype none

// ok: tg_index_ok.vh's check (the bits above W zero, the low W bits below
// N) is the plain statement v < N for every 16-bit v. The tests
// yosys-index-ok-equiv-* prove it with Yosys's SAT solver for table sizes
// that are and are not powers of two.
module tg_index_ok_check #
(
    parameter integer W = 3,
    parameter integer N = 5
)
(
    input  wire [15:0] v,
    output wire        ok
);

`include "tg_index_ok.vh"
assign ok = tg_index_ok(v, W, N) == ({16'd0, v} < N);

endmodule

`resetall
