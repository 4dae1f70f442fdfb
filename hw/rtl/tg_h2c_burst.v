`resetall
`timescale 1ns / 1ps
`default_nettype none

// The records the H2C engine's next read fetches (tg_h2c_ring): the
// doorbell's lead over the fetch index from their low 4 bits (15 where the
// doorbell was 16 or more ahead, or where the low bits are equal but the
// indices are not), at most the records to the ring's wrap. Thirteen input
// bits, four out, written without adders: a hierarchy level of its own, so
// that ABC maps it by its own depth (three LUT levels) rather than relaxing
// it up to the deepest cone of the whole core (five LUTs behind a carry
// chain when it was inline).
(* keep_hierarchy *)
module tg_h2c_burst
(
    input  wire [3:0] prod_lo,             // the doorbell's low bits
    input  wire [3:0] fetch_lo,            // the fetch index's
    input  wire       avail16,             // the doorbell was 16 or more ahead
    input  wire [3:0] wrap_lim,            // records to the wrap, MAX_BURST at most
    output wire [3:0] burst_n
);

// prod_lo - fetch_lo modulo 16, as a ripple of borrows (no adder: Yosys
// would map it on a carry chain, a boundary for ABC)
reg [3:0] avail_low;
reg borrow;
integer j;
always @* begin
    borrow = 1'b0;
    for (j = 0; j < 4; j = j + 1) begin
        avail_low[j] = prod_lo[j] ^ fetch_lo[j] ^ borrow;
        borrow = (!prod_lo[j] && fetch_lo[j]) || (!(prod_lo[j] ^ fetch_lo[j]) && borrow);
    end
end
wire [3:0] avail_lim = avail16 || avail_low == 4'd0 ? 4'd15 : avail_low;
// avail_lim < wrap_lim, from the top bit down
wire lt = (!avail_lim[3] && wrap_lim[3])
       || (avail_lim[3] == wrap_lim[3] && ((!avail_lim[2] && wrap_lim[2])
       || (avail_lim[2] == wrap_lim[2] && ((!avail_lim[1] && wrap_lim[1])
       || (avail_lim[1] == wrap_lim[1] && !avail_lim[0] && wrap_lim[0])))));
assign burst_n = lt ? avail_lim : wrap_lim;

endmodule

`resetall
