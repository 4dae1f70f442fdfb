`resetall
`timescale 1ns / 1ps
`default_nettype none

// Market-data receive pipeline: Ethernet II (one optional 802.1Q tag),
// IPv4, UDP, MoldUDP64 and ITCH 5.0 message framing, cut-through.
//
// The semantics are those of the C reference decoder (sw/feed.c, documented
// in tickgate/feed.h); the differential tests hold the two to the same
// messages and counters. In short:
//   - the header verdict (one drop reason, or go) is decided as soon as the
//     MoldUDP64 header is in, in the C decoder's order of checks;
//   - message blocks are framed as their bytes arrive and every complete,
//     wanted message leaves 3 cycles after its last byte came in;
//   - a frame's end decides what the headers could not (blocks running past
//     the packet, a frame shorter than its IP length, an over-long frame);
//     messages completed before that were delivered (cut-through);
//   - every frame ends as parsed or dropped for exactly one reason.
//
// Timing (322 MHz, about 6 LUT levels between registers): nothing wide is
// compared in the cycle it is needed.
//   - Header fields are captured straight from the input lanes (the fixed
//     Ethernet/IPv4 bytes 8..39 by beat index, the 28 bytes of UDP and
//     MoldUDP64 header at 34 + 4 uk, uk = tag + IHL - 5) and decoded into
//     registered checks one or two cycles later (F1, F2, U1), while the rest
//     of the header streams in. The IPv4 checksum: masked words (C0), pair
//     sums (C1), running total (C2), test (C3).
//   - The verdict takes 2 stages from the beat that completes the MoldUDP64
//     header, which is the first block's beat (V1: every check as a flag, the
//     64-bit sequence difference; V2: the C decoder's order of the checks,
//     sequencing, the gap report). The first block ends a beat later at the
//     earliest, so the verdict is in when its message reaches S2. A frame
//     that ends before (or in) that beat is judged 2 cycles after its end,
//     once its last fields are decoded.
//   - The block framer keeps, per block, the beats to its last byte and that
//     byte's lane. In a beat where a block starts, a candidate per lane (its
//     length, the beats and lane of its end, its checks against the payload
//     limit kept per lane for the current beat) is computed from the input
//     and the start lane, known from registers, picks one. A start that
//     fails its checks stops the framing; those verdicts are reduced a cycle
//     later, when the frame's stop (the first) is recorded.
//   - A message's bytes are written in place by (start lane, beats since the
//     start). It leaves through S1 (type and length) and S2 (verdict, skip,
//     count, sequence number): 3 cycles after the beat with its last byte.
//   - A frame's outcome is settled 5 cycles after its last beat (its verdict
//     is in by then); the sequencing update for the blocks framed follows 3
//     cycles later, before the next frame's verdict can need it.
// A beat carries 8 bytes (all beats but the last are full) and every block is
// at least 14 bytes long (2-byte length + 12, shorter ones break the framing),
// so a beat holds at most one block start and one block end. The input never
// stalls.
module tg_feed_rx #
(
    parameter FILTERS = 8,
    // frames longer than this (bytes, no FCS) are counted as jumbo
    parameter MAX_FRAME = 1522
)
(
    input  wire                    clk,
    input  wire                    rst,

    // configuration
    input  wire                    cfg_seq_check,
    input  wire                    cfg_gap_hold,      // at a gap, wait for the missing messages
    input  wire                    cfg_accept_all,
    input  wire [FILTERS*32-1:0]   cfg_filter_addr,   // 0 = any address
    input  wire [FILTERS*16-1:0]   cfg_filter_port,
    input  wire [FILTERS-1:0]      cfg_filter_valid,
    input  wire                    seq_reset,         // forget the followed session

    // network input (always ready)
    input  wire [63:0]             s_axis_tdata,
    input  wire [7:0]              s_axis_tkeep,
    input  wire                    s_axis_tlast,
    input  wire                    s_axis_tvalid,

    // framed ITCH messages, one per cycle at most
    output reg                     msg_valid = 1'b0,
    output reg  [399:0]            msg_data = 400'd0,  // byte i at [8i +: 8]
    output reg  [5:0]              msg_len = 6'd0,
    output reg  [63:0]             msg_seq = 64'd0,    // MoldUDP64 sequence number

    // sequence gaps: messages gap_first..gap_last were not seen
    output reg                     gap_valid = 1'b0,
    output reg  [63:0]             gap_first = 64'd0,
    output reg  [63:0]             gap_last = 64'd0,

    // per-frame outcome, one cycle per frame: reason FR_PARSED or a drop reason
    output reg                     frame_done = 1'b0,
    output reg  [4:0]              frame_reason = 5'd0,
    // per-packet and per-block outcomes
    output reg                     pkt_pulse = 1'b0,        // MoldUDP64 packet taken
    output reg                     heartbeat_pulse = 1'b0,
    output reg                     eos_pulse = 1'b0,        // end of session
    output reg                     unknown_pulse = 1'b0,    // block of an unknown type
    output reg                     bad_length_pulse = 1'b0, // block not the type's length
    output reg                     dup_msg_pulse = 1'b0,    // block already seen
    // sequencing state, for the host's retransmission requests
    output wire [63:0]             seq_next,                // next expected sequence number
    output wire                    seq_have_session,
    output wire                    seq_holding              // gap hold: waiting for seq_next
);

`include "tg_itch_defs.vh"

// frame outcomes: the C decoder's enum tg_feed_drop, then parsed
localparam [4:0] FR_RUNT = 5'd0, FR_JUMBO = 5'd1, FR_NOT_IPV4 = 5'd2, FR_IP_HEADER = 5'd3,
                 FR_IP_TRUNCATED = 5'd4, FR_IP_CHECKSUM = 5'd5, FR_IP_FRAGMENT = 5'd6,
                 FR_NOT_UDP = 5'd7, FR_UDP_LENGTH = 5'd8, FR_UDP_FILTER = 5'd9,
                 FR_MOLD_SHORT = 5'd10, FR_MOLD_SESSION = 5'd11, FR_MOLD_DUPLICATE = 5'd12,
                 FR_MSG_OVERRUN = 5'd13, FR_MSG_RUNT = 5'd14, FR_MOLD_AHEAD = 5'd15,
                 FR_PARSED = 5'd31;

localparam [12:0] MAX_FRAME_13 = MAX_FRAME;
// l2 + IP total length > MAX_FRAME, as a bound on the IP total length
localparam [16:0] MAX_TOTAL_14 = MAX_FRAME - 14;
localparam [16:0] MAX_TOTAL_18 = MAX_FRAME - 18;

// ---------------------------------------------------------------- input beat
wire beat = s_axis_tvalid;
wire last = s_axis_tvalid && s_axis_tlast;

// bytes in this beat (tkeep contiguous from bit 0, counted as tg_keep_bytes
// does), as thresholds: keep_ge[k] = at least k bytes, in logic, not an adder
function automatic [8:0] keep_ge(input [7:0] keep);
    reg [8:0] t;
    integer b, k;
    begin
        t = 9'd1;
        for (b = 0; b < 8; b = b + 1) begin
            for (k = 8; k > 0; k = k - 1) begin
                t[k] = t[k] | (t[k - 1] & keep[b]);
            end
        end
        keep_ge = t;
    end
endfunction

wire [8:0] nb_ge = keep_ge(s_axis_tkeep);
// the byte count below 8 (when not 8: nb_ge[8] clear)
wire [2:0] nb_lo = {nb_ge[4] && !nb_ge[8], (nb_ge[2] && !nb_ge[4]) || (nb_ge[6] && !nb_ge[8]),
                    (nb_ge[1] && !nb_ge[2]) || (nb_ge[3] && !nb_ge[4]) || (nb_ge[5] && !nb_ge[6]) || (nb_ge[7] && !nb_ge[8])};

wire [7:0] B [0:7];
genvar g;
generate
    for (g = 0; g < 8; g = g + 1) begin : gen_lane
        assign B[g] = s_axis_tdata[g*8 +: 8];
    end
endgenerate

// lane j carries a byte of the frame (lane 8: the next beat's lane 0)
wire [8:0] lane_ok;
generate
    for (g = 0; g < 9; g = g + 1) begin : gen_lane_ok
        assign lane_ok[g] = !s_axis_tlast || (g < 8 && nb_ge[(g + 1) % 9]);
    end
endgenerate

reg [8:0] bi = 9'd0;                    // beat index in the frame, saturating
reg [9:0] bi_p1 = 10'd1;                // bi + 1
reg [9:0] bi_p2 = 10'd2;                // bi + 2
reg [15:0] boh = 16'd1;                 // one-hot bi, while bi < 16
wire bi_sat = bi == 9'h1ff;

// frame length so far, including this beat (bi saturates: a long frame stays long)
wire [12:0] o_end = lane_ok[7] ? {bi_p1, 3'b000} : {1'b0, bi, nb_lo};

// ---------------------------------------------------------------- header fields
// Bytes 8..39 of the frame (Ethernet with or without the tag, the fixed part
// of the IPv4 header), captured by beat index.
reg [255:0] fhb = 256'd0;

function automatic [7:0] fb(input integer i);
    fb = fhb[(i - 8)*8 +: 8];
endfunction

// F1: decoded from fhb, one cycle behind it
wire vlan_f = {fb(12), fb(13)} == 16'h8100;
wire [7:0] ip0_f = vlan_f ? fb(18) : fb(14);
reg vlan_r = 1'b0;
reg eth_ok_r = 1'b0;
reg ver_ok_r = 1'b0;
reg ihl_ge5_r = 1'b0;
reg [3:0] ihl_r = 4'd0;
reg [3:0] uk_r = 4'd0;                  // vlan + ihl - 5: the UDP header at 34 + 4 uk
reg [15:0] ip_total_r = 16'd0;
reg frag_nz_r = 1'b0;
reg proto_ok_r = 1'b0;
reg stored_zero_r = 1'b0;
reg [31:0] ip_dst_r = 32'd0;
reg [16:0] wpre_r = 17'd0;              // checksum words at 14 and 16 (untagged frames)

always @(posedge clk) begin
    vlan_r <= vlan_f;
    eth_ok_r <= vlan_f ? {fb(16), fb(17)} == 16'h0800 : {fb(12), fb(13)} == 16'h0800;
    ver_ok_r <= ip0_f[7:4] == 4'd4;
    ihl_ge5_r <= ip0_f[3:0] >= 4'd5;
    ihl_r <= ip0_f[3:0];
    uk_r <= ip0_f[3:0] + {3'd0, vlan_f} - 4'd5;
    ip_total_r <= vlan_f ? {fb(20), fb(21)} : {fb(16), fb(17)};
    frag_nz_r <= vlan_f ? {fhb[(24-8)*8 +: 6], fb(25)} != 14'd0 : {fhb[(20-8)*8 +: 6], fb(21)} != 14'd0;
    proto_ok_r <= (vlan_f ? fb(27) : fb(23)) == 8'd17;
    stored_zero_r <= (vlan_f ? {fb(28), fb(29)} : {fb(24), fb(25)}) == 16'd0;
    ip_dst_r <= vlan_f ? {fb(34), fb(35), fb(36), fb(37)} : {fb(30), fb(31), fb(32), fb(33)};
    wpre_r <= vlan_f ? 17'd0 : {1'b0, fb(14), fb(15)} + {1'b0, fb(16), fb(17)};
end

// F2: from F1
wire [5:0] ihl_bytes = {ihl_r, 2'b00};
reg total_lt_ihl_r = 1'b0;
reg jumbo_hdr_r = 1'b0;
reg pay_lt8_r = 1'b0;
reg [16:0] total_end_r = 17'd0;         // L2 + IP total length
reg [15:0] ip_payload_r = 16'd0;
reg [15:0] ps_oh_r = 16'd0;             // one-hot beat of the first block (MoldUDP64 header complete)
reg [7:0] sl0_oh_r = 8'd0;              // one-hot lane of the first block
reg [6:0] udp_off_r = 7'd0;
reg [5:0] l2_20_r = 6'd0;               // L2 + 20
reg [6:0] udp_end_r = 7'd0;             // udp_off + 8
reg [6:0] pay_off_r = 7'd0;             // udp_off + 28: the first block

// pay_off = 62 + 4 uk: beat 7 + (uk + 1) / 2, lane 6 (uk even) or 2 (odd)
wire [2:0] uk_h = uk_r[3:1] + {2'd0, uk_r[0]};
wire [3:0] ps_f = 4'd7 + {1'b0, uk_h};
always @(posedge clk) begin
    total_lt_ihl_r <= ip_total_r < {10'd0, ihl_bytes};
    jumbo_hdr_r <= {1'b0, ip_total_r} > (vlan_r ? MAX_TOTAL_18 : MAX_TOTAL_14);
    pay_lt8_r <= ip_total_r < {10'd0, ihl_bytes} + 16'd8;
    total_end_r <= {1'b0, ip_total_r} + (vlan_r ? 17'd18 : 17'd14);
    ip_payload_r <= ip_total_r - {10'd0, ihl_bytes};
    ps_oh_r <= 16'd1 << ps_f;
    sl0_oh_r <= uk_r[0] ? 8'b0000_0100 : 8'b0100_0000;
    udp_off_r <= 7'd34 + {1'b0, uk_r, 2'b00};
    udp_end_r <= 7'd42 + {1'b0, uk_r, 2'b00};
    pay_off_r <= 7'd62 + {1'b0, uk_r, 2'b00};
    l2_20_r <= vlan_r ? 6'd38 : 6'd34;
end

// UDP and MoldUDP64 header (28 bytes from 34 + 4 uk), captured from the
// input lanes: byte j is in beat 4 + uk/2 + (2 + 4 (uk & 1) + j) / 8
reg [223:0] uhb = 224'd0;

function automatic [7:0] ub(input integer j);
    ub = uhb[j*8 +: 8];
endfunction

// the beat (one-hot) and lane of byte j, for an even and an odd uk
function automatic uh_en(input [15:0] bo, input [3:0] u, input integer jj);
    integer k;
    begin
        uh_en = 1'b0;
        for (k = 0; k < 8; k = k + 1) begin
            if (u[3:1] == k[2:0]) begin
                uh_en = u[0] ? bo[4 + k + (6 + jj) / 8] : bo[4 + k + (2 + jj) / 8];
            end
        end
    end
endfunction

integer uj;
always @(posedge clk) begin
    for (uj = 0; uj < 28; uj = uj + 1) begin
        if (beat && uh_en(boh, uk_r, uj)) begin
            uhb[uj*8 +: 8] <= uk_r[0] ? B[(6 + uj) % 8] : B[(2 + uj) % 8];
        end
    end
end

wire [15:0] udp_dport = {ub(2), ub(3)};
wire [15:0] udp_len = {ub(4), ub(5)};
wire [79:0] mold_session = {ub(8), ub(9), ub(10), ub(11), ub(12), ub(13), ub(14), ub(15), ub(16), ub(17)};
wire [63:0] mold_seq = {ub(18), ub(19), ub(20), ub(21), ub(22), ub(23), ub(24), ub(25)};
wire [15:0] mold_count = {ub(26), ub(27)};


reg have_session = 1'b0;
reg holding = 1'b0;                // gap hold: packets beyond next_seq are being dropped
assign seq_have_session = have_session;
assign seq_holding = holding;
reg [79:0] session_reg = 80'd0;
reg [63:0] next_seq = 64'd0;
assign seq_next = next_seq;

// U1: from the UDP/MoldUDP64 bytes (the filter in two steps; the IP
// destination is in at least a beat before the UDP header is complete)
integer fi;
reg udp_bad_r = 1'b0;                   // UDP length < 8 or beyond the IP payload
reg udp_lt28_r = 1'b0;
reg [FILTERS-1:0] filt_port_r = {FILTERS{1'b0}};   // per filter: valid, the port matches
reg [FILTERS-1:0] filt_addr_r = {FILTERS{1'b0}};   // ... the address is any or matches
reg filter_hit_r = 1'b0;
reg session_eq_r = 1'b0;
reg [11:0] pay_end_r = 12'd0;           // payload end (one past); meaningful when the headers pass
always @(posedge clk) begin
    udp_bad_r <= udp_len < 16'd8 || udp_len > ip_payload_r;
    udp_lt28_r <= udp_len < 16'd28;
    for (fi = 0; fi < FILTERS; fi = fi + 1) begin
        filt_port_r[fi] <= cfg_filter_valid[fi] && cfg_filter_port[fi*16 +: 16] == udp_dport;
        filt_addr_r[fi] <= cfg_filter_addr[fi*32 +: 32] == 32'd0 || cfg_filter_addr[fi*32 +: 32] == ip_dst_r;
    end
    filter_hit_r <= |(filt_port_r & filt_addr_r);
    session_eq_r <= mold_session == session_reg;
    pay_end_r <= {5'd0, udp_off_r} + udp_len[11:0];
end

// ---------------------------------------------------------------- IP checksum
// One's-complement sum of the IP header words. The input beat's words are
// registered with their mask (C0), summed in pairs (C1) and added to the
// total (C2), which beat 2 starts from the words at 14 and 16 (an untagged
// header's first two, from fhb); the total is tested (C3). From beat 2 on, a
// word at offset x is in when x < 34 + 4 uk (before the IHL is in, 20 bytes
// are assumed). Words past the frame's end only matter in a frame that ends
// inside its IP header, which is dropped before its checksum counts.
reg [63:0] cs_d = 64'd0;
reg cs_first = 1'b0;
reg cs_v = 1'b0;
reg [16:0] cs_s01 = 17'd0, cs_s23 = 17'd0;
reg cs_first1 = 1'b0, cs_v1 = 1'b0;
reg [22:0] csum = 23'd0;
reg csum_ok = 1'b0;

function automatic [15:0] cs_word(input [63:0] d, input integer w);
    cs_word = {d[16*w +: 8], d[16*w + 8 +: 8]};
endfunction

reg [3:0] cs_mask_n;
reg [3:0] cs_mask = 4'd0;
integer cb, cw;
always @* begin
    cs_mask_n = 4'd0;
    for (cw = 0; cw < 4; cw = cw + 1) begin
        if (boh[2] && cw >= 1) cs_mask_n[cw] = 1'b1;
        if (boh[3]) cs_mask_n[cw] = 1'b1;
        for (cb = 4; cb < 16; cb = cb + 1) begin
            if (boh[cb] && 8*cb + 2*cw < 34 + 4*uk_r) cs_mask_n[cw] = 1'b1;
        end
    end
end

always @(posedge clk) begin
    cs_v <= beat;
    cs_d <= s_axis_tdata;
    cs_mask <= cs_mask_n;
    cs_first <= boh[2];

    cs_v1 <= cs_v;
    cs_first1 <= cs_first;
    cs_s01 <= (cs_mask[0] ? {1'b0, cs_word(cs_d, 0)} : 17'd0) + (cs_mask[1] ? {1'b0, cs_word(cs_d, 1)} : 17'd0);
    cs_s23 <= (cs_mask[2] ? {1'b0, cs_word(cs_d, 2)} : 17'd0) + (cs_mask[3] ? {1'b0, cs_word(cs_d, 3)} : 17'd0);

    if (cs_v1) begin
        csum <= (cs_first1 ? {6'd0, wpre_r} : csum) + {6'd0, cs_s01} + {6'd0, cs_s23};
    end
    // folds to 0xffff, i.e. low + high == 0xffff (high is at most 127)
    csum_ok <= csum[15:7] == 9'h1ff && csum[6:0] == ~csum[22:16];
end

// ---------------------------------------------------------------- verdict
// Triggered by the beat that completes the MoldUDP64 header (the first
// block's beat), or by the frame's end before it (judged 2 cycles later,
// once the last fields are decoded).
reg triggered = 1'b0;
reg at_ps = 1'b0;                        // this beat is the first block's (bi == ps)
reg vn0 = 1'b0;                          // V1 now: header complete
reg vl0 = 1'b0, vl1 = 1'b0, vl2 = 1'b0;  // the frame ended first
reg [7:0] vlen0 = 8'd0, vlen1 = 8'd0, vlen2 = 8'd0;

// V1: every check as a flag, in the C decoder's order; the checksum (between
// the pre and post groups) is applied in V2
wire v1_go = vn0 || vl2;
wire [7:0] vlen = vlen2;
reg c1, c2, c3, c4, c5, c6, c8, c9, c10, c11, c12, c13, c14, c15, c16;
reg pre_fail, post_fail;
reg [4:0] pre_reason, post_reason;
always @* begin
    c1 = vl2 && (vlen < 8'd14 || (vlan_r && vlen < 8'd18));
    c2 = !eth_ok_r;
    c3 = (vl2 && vlen < {2'd0, l2_20_r}) || !ver_ok_r || !ihl_ge5_r;
    c4 = total_lt_ihl_r;
    c5 = jumbo_hdr_r;
    c6 = vl2 && vlen < {1'b0, udp_off_r};
    c8 = frag_nz_r;
    c9 = !proto_ok_r;
    c10 = pay_lt8_r;
    c11 = vl2 && vlen < {1'b0, udp_end_r};
    c12 = udp_bad_r;
    c13 = !cfg_accept_all && !filter_hit_r;
    c14 = udp_lt28_r;
    c15 = vl2 && vlen < {1'b0, pay_off_r};
    c16 = cfg_seq_check && have_session && !session_eq_r;
    pre_fail = c1 || c2 || c3 || c4 || c5 || c6;
    pre_reason = c1 ? FR_RUNT : c2 ? FR_NOT_IPV4 : (c3 || c4) ? FR_IP_HEADER : c5 ? FR_JUMBO : FR_IP_TRUNCATED;
    post_fail = c8 || c9 || c10 || c11 || c12 || c13 || c14 || c15 || c16;
    post_reason = c8 ? FR_IP_FRAGMENT : c9 ? FR_NOT_UDP : c10 ? FR_UDP_LENGTH : c11 ? FR_IP_TRUNCATED
                : c12 ? FR_UDP_LENGTH : c13 ? FR_UDP_FILTER : c14 ? FR_MOLD_SHORT
                : c15 ? FR_IP_TRUNCATED : FR_MOLD_SESSION;
end

reg v2_go = 1'b0;
reg v2_pre_fail = 1'b0, v2_post_fail = 1'b0;
reg [4:0] v2_pre_reason = 5'd0, v2_post_reason = 5'd0;
reg v2_stored_zero = 1'b0;
reg [64:0] v2_diff = 65'd0;             // next_seq - mold_seq
reg [63:0] v2_seq_m1 = 64'd0;
reg [47:0] v2_seq_hi1 = 48'd0;          // mold_seq[63:16] + 1
reg v2_lo_ge = 1'b0;                    // (next_seq - mold_seq)[15:0] >= count
reg v2_cnt_normal = 1'b0, v2_cnt_zero = 1'b0, v2_cnt_eos = 1'b0;
reg [16:0] v2_total_end = 17'd0;

// decided per frame, used by the message stage and the frame end
reg d_deliver = 1'b0;             // message blocks of this frame are wanted
reg d_fail = 1'b1;                // the headers dropped the frame
reg [4:0] d_reason = 5'd0;        // header drop reason
reg [15:0] d_count = 16'd0;
reg d_cnt_zero = 1'b0, d_cnt_eos = 1'b0;
reg [15:0] d_skip = 16'd0;        // blocks already seen
reg [63:0] d_seq = 64'd0;
reg [47:0] d_seq_hi1 = 48'd0;     // d_seq[63:16] + 1
reg [16:0] d_total_end = 17'd0;   // L2 + IP total length (frame must be at least this)

// V2: the checks' priority, then sequencing (the C decoder's mold_packet).
// The MoldUDP64 header bytes (uhb) stay as they are until the next frame's
// beat 4, after V2 even for a frame judged at its end.
wire v2_csum_bad = !csum_ok && !(v2_stored_zero && !cfg_seq_check && cfg_accept_all);
wire v2_hdr_fail = v2_pre_fail || v2_csum_bad || v2_post_fail;
wire [4:0] v2_hdr_reason = v2_pre_fail ? v2_pre_reason : v2_csum_bad ? FR_IP_CHECKSUM : v2_post_reason;
wire v2_ahead_n = v2_diff[64];                            // mold_seq > next_seq
wire v2_covered = !v2_diff[64] && (v2_diff[63:16] != 48'd0 || v2_lo_ge);
wire v2_ahead = cfg_seq_check && cfg_gap_hold && have_session && v2_ahead_n;
wire v2_dup = cfg_seq_check && !v2_ahead && have_session && v2_cnt_normal && v2_covered;
wire v2_vgap = cfg_seq_check && have_session && v2_ahead_n;
wire v2_fail = v2_hdr_fail || v2_ahead || v2_dup;

// ---------------------------------------------------------------- block framer
localparam [1:0] FX_OVERRUN = 2'd1, FX_RUNT = 2'd2, FX_TRUNC = 2'd3;

// Payload limit per start lane L for this beat: pay_end - (offset + 2), so a
// block starting in lane L fits when its length is at most lim(L), and its
// length field is in the payload when lim(L) >= 0 (L = 8: the next beat's
// lane 0). Kept for the current beat index, signed, 14 bits each.
reg [9*14-1:0] lim = {9*14{1'b0}};
function automatic [13:0] lim_at(input [9*14-1:0] v, input integer l);
    lim_at = v[l*14 +: 14];
endfunction
// (for this beat index and the next; the input picks: after a frame's last
// beat the limits are not used before the first block's beat)
function automatic [13:0] lim_for(input [11:0] pe, input [9:0] b, input [9:0] b1, input integer l);
    lim_for = l < 6 ? {2'b00, pe} - {1'b0, b, l[2:0] + 3'd2} : {2'b00, pe} - {1'b0, b1, l[2:0] + 3'd2};
endfunction
integer li;
always @(posedge clk) begin
    for (li = 0; li < 9; li = li + 1) begin
        lim[li*14 +: 14] <= beat ? lim_for(pay_end_r, bi_p1, bi_p2, li) : lim_for(pay_end_r, {1'b0, bi}, bi_p1, li);
    end
end

reg fr_act = 1'b1;               // framing (not stopped) in this frame, a cycle behind
reg first_pend = 1'b1;           // the first block has not started
reg body = 1'b0;                 // a block's length is in, its last byte is not
reg cntz = 1'b0;                 // ... and that byte is in this beat
reg [12:0] cnt = 13'd0;          // else: beats to that beat, after the next one
reg [7:0] e_oh = 8'd0;           // one-hot lane of the last byte
reg [7:0] ns_oh = 8'd0;          // one-hot lane after it (the next block's start)
reg lh = 1'b0;                   // a block started in lane 7: its length's low byte is lane 0
reg [7:0] lenhi = 8'd0;
reg [13:0] lim_lh = 14'd0;       // that block's limit
reg st0 = 1'b0;                  // a block starts in lane 0 of this beat
reg [15:0] blen = 16'd0;         // the current block's length
reg [15:0] idx = 16'd0;          // index of the current (or next) block
reg [15:0] idx1 = 16'd1;         // idx + 1
reg [1:0] stop_why = 2'd0;
reg [15:0] stop_idx = 16'd0;
reg [7:0] cur_sl = 8'd0;         // one-hot start lane of the current block
reg [7:0] r_oh = 8'd0;           // one-hot beats since its start

// Candidates, one per start lane 0..6 (the length in this beat) and 7: a
// block that started in lane 7 of the last beat (its length completes now).
reg [8*16-1:0] c_len;
reg [8*13-1:0] c_cnt;
reg [8*3-1:0] c_e;
reg [8*2-1:0] c_why;
reg [7:0] c_runt, c_over, c_cntz, c_take, c_stop;
reg [15:0] cl, ct;
reg [13:0] cm;
integer L;
always @* begin
    for (L = 0; L < 8; L = L + 1) begin
        if (L < 7) begin
            cl = {B[L], B[(L + 1) % 8]};
            cm = lim_at(lim, L);
            // its last byte at offset + 8 + ct
            ct = cl + (L[15:0] - 16'd7);
            c_cntz[L] = cl[15:4] == 12'd0 && cl[3:0] < 4'd15 - L[3:0];
        end else begin
            cl = {lenhi, B[0]};
            cm = lim_lh;
            ct = cl - 16'd8;
            c_cntz[L] = cl[15:4] == 12'd0;
        end
        c_len[L*16 +: 16] = cl;
        c_cnt[L*13 +: 13] = ct[15:3];
        c_e[L*3 +: 3] = ct[2:0];
        c_runt[L] = cl[15:4] == 12'd0 && cl[3:0] < 4'd12;
        // (a negative limit stops the block at its start)
        c_over[L] = cl > {3'd0, cm[12:0]};
        if (L < 7) begin
            c_take[L] = !cm[13] && lane_ok[L + 1];
            c_stop[L] = cm[13] || !lane_ok[L + 1] || c_runt[L] || c_over[L];
            c_why[L*2 +: 2] = cm[13] ? FX_OVERRUN : !lane_ok[L + 1] ? FX_TRUNC : c_runt[L] ? FX_RUNT
                            : c_over[L] ? FX_OVERRUN : FX_TRUNC;
        end else begin
            c_take[L] = lane_ok[0];
            c_stop[L] = !lane_ok[0] || c_runt[L] || c_over[L];
            c_why[L*2 +: 2] = !lane_ok[0] ? FX_TRUNC : c_runt[L] ? FX_RUNT : c_over[L] ? FX_OVERRUN : FX_TRUNC;
        end
    end
end

// this beat, from registered state
wire endb = body && cntz;                     // the current block's last byte is due
wire e_ok = |(e_oh & lane_ok[7:0]);           // ... and is in the frame
wire s_first = first_pend && at_ps;
wire s_chain = endb && !e_oh[7];              // the next block starts in this beat
wire s_next = endb && e_oh[7];                // ... in lane 0 of the next beat
wire [7:0] st_oh = ({8{s_first}} & sl0_oh_r) | ({8{s_chain}} & ns_oh) | {7'd0, st0};
wire s_any = s_first || s_chain || st0;
wire [13:0] lim7 = lim_at(lim, 7);
wire lim8_neg = lim[8*14 + 13];

// The candidate taken: a start in lanes 0..6, or lane 7's length
// completing. Its body follows when the length field is in the frame and
// the payload; a length that is too short or runs past the payload stops
// the framing (below), which then no longer completes blocks.
wire [7:0] pick = {lh, st_oh[6:0]};
wire ld = |(pick & c_take);
wire [7:0] ld_eoh;

reg [12:0] ld_cnt;
reg [2:0] ld_e;
reg [15:0] ld_len;
reg ld_cntz;
integer p;
always @* begin
    ld_cnt = 13'd0;
    ld_e = 3'd0;
    ld_len = 16'd0;
    ld_cntz = 1'b0;
    for (p = 0; p < 8; p = p + 1) begin
        ld_cnt = ld_cnt | ({13{pick[p]}} & c_cnt[p*13 +: 13]);
        ld_e = ld_e | ({3{pick[p]}} & c_e[p*3 +: 3]);
        ld_len = ld_len | ({16{pick[p]}} & c_len[p*16 +: 16]);
        ld_cntz = ld_cntz | (pick[p] & c_cntz[p]);
    end
end
assign ld_eoh = 8'd1 << ld_e;

// The framing's stop in this beat (the first one of a frame counts), and
// its block index: the candidates' verdicts (c_stop, c_why) are registered
// with the candidate taken and reduced a cycle later, by the bookkeeping. With
// no candidate taken: a start in lane 7, a start in the next beat, nothing.
// A frame that ends before the current block's last byte (only in its last
// beat) is endfail.
wire [1:0] np_why = st_oh[7] ? (lim7[13] ? FX_OVERRUN : FX_TRUNC) : s_next ? (lim8_neg ? FX_OVERRUN : FX_TRUNC)
                  : FX_TRUNC;
wire ev_inc = endb && e_ok;       // the index counts a block that ended in this beat
wire endfail = endb && !e_ok;

reg ev_v = 1'b0, ev_last = 1'b0, ev_st7 = 1'b0, ev_endfail = 1'b0;
reg [7:0] ev_pick = 8'd0, ev_cstop = 8'd0;
reg [15:0] ev_cwhy = 16'd0;
reg [1:0] ev_npwhy = 2'd0;
reg [15:0] ev_idx_r = 16'd0;
reg [12:0] ev_len = 13'd0;
wire ev_stop_r = ev_last || (|(ev_pick & ev_cstop)) || ev_st7;
reg [1:0] ev_why_r;
integer q2;
always @* begin
    ev_why_r = {2{!(|ev_pick)}} & ev_npwhy;
    for (q2 = 0; q2 < 8; q2 = q2 + 1) begin
        ev_why_r = ev_why_r | ({2{ev_pick[q2]}} & ev_cwhy[q2*2 +: 2]);
    end
end
// (fr_act lags a beat: ev_stop_r is the last beat's stop)
wire done_now = endb && e_ok && fr_act && !(ev_v && ev_stop_r);

reg [399:0] mbuf = 400'd0;       // message bytes of the current block (50 at most)

// Message byte m of a block starting in lane s sits in lane (s + 2 + m) % 8
// of the beat (s + 2 + m) / 8 after the start: rot(s)[m % 8] of that beat
// (s one-hot).
function automatic [63:0] rot(input [63:0] d, input [7:0] s);
    integer k, q;
    begin
        rot = 64'd0;
        for (k = 0; k < 8; k = k + 1) begin
            for (q = 0; q < 8; q = q + 1) begin
                rot[k*8 +: 8] = rot[k*8 +: 8] | ({8{s[q]}} & d[((q + 2 + k) % 8)*8 +: 8]);
            end
        end
    end
endfunction

function automatic wr_en(input [7:0] s, input [7:0] r, input integer mm);
    integer q;
    begin
        wr_en = 1'b0;
        for (q = 0; q < 8; q = q + 1) begin
            if ((q + 2 + mm) / 8 < 8) wr_en = wr_en | (s[q] & r[(q + 2 + mm) / 8]);
        end
    end
endfunction

wire [7:0] sl_act = s_any ? st_oh : cur_sl;
wire [7:0] r_act = s_any ? 8'd1 : r_oh;
wire [63:0] rot_act = rot(s_axis_tdata, sl_act);
wire [63:0] rot_cur = rot(s_axis_tdata, cur_sl);

// message completed this beat, to the message stages
reg done_valid = 1'b0;
reg [399:0] done_buf = 400'd0;
reg [15:0] done_idx = 16'd0;
reg [15:0] done_blen = 16'd0;

integer m;
always @(posedge clk) begin
    if (beat) begin
        for (m = 0; m < 50; m = m + 1) begin
            if (wr_en(sl_act, r_act, m)) mbuf[m*8 +: 8] <= rot_act[(m % 8)*8 +: 8];
        end
        cur_sl <= sl_act;
        r_oh <= {r_act[6:0], 1'b0};
    end
    done_valid <= beat && done_now && !rst;
    if (beat && done_now) begin
        for (m = 0; m < 50; m = m + 1) begin
            done_buf[m*8 +: 8] <= wr_en(cur_sl, r_oh, m) ? rot_cur[(m % 8)*8 +: 8] : mbuf[m*8 +: 8];
        end
        done_idx <= idx;
        done_blen <= blen;
    end
end

// ---------------------------------------------------------------- frame end
// The framer's final state waits until the verdict (at the latest 4 cycles
// after the last beat) is in.
reg [3:0] e_valid = 4'd0;
reg [4*2-1:0] e_why = 8'd0;
reg [4*16-1:0] e_idx = 64'd0;
reg [4*13-1:0] e_len = 52'd0;
wire e4_valid = e_valid[3];
wire [1:0] e4_why = e_why[3*2 +: 2];
wire [15:0] e4_idx = e_idx[3*16 +: 16];
wire [12:0] e4_len = e_len[3*13 +: 13];

// FE1: the frame's outcome
wire fe_lt = e4_idx < d_count;
reg [4:0] fin_reason;
always @* begin
    if (d_fail) begin
        fin_reason = d_reason;
    end else if (d_deliver && fe_lt) begin
        fin_reason = e4_why == FX_RUNT ? FR_MSG_RUNT
                   : e4_why == FX_OVERRUN ? FR_MSG_OVERRUN : FR_IP_TRUNCATED;
    end else if (d_total_end > {4'd0, e4_len}) begin
        fin_reason = FR_IP_TRUNCATED;
    end else if (e4_len > MAX_FRAME_13) begin
        fin_reason = FR_JUMBO;
    end else begin
        fin_reason = FR_PARSED;
    end
end

// FE2..FE4: sequencing advances past the blocks framed
reg fe1_upd = 1'b0, fe2_upd = 1'b0, fe3_upd = 1'b0;
reg [15:0] fe1_framed = 16'd0;
reg [63:0] fe1_seq = 64'd0;
reg [47:0] fe1_seq_hi1 = 48'd0;
reg [63:0] fe2_sum = 64'd0, fe3_sum = 64'd0;
wire [16:0] fe_lo = {1'b0, fe1_seq[15:0]} + {1'b0, fe1_framed};

// ---------------------------------------------------------------- message stages
// S1: type and length; S2: the verdict, skip and count
integer fj;
reg s1_valid = 1'b0;
reg [399:0] s1_buf = 400'd0;
reg [15:0] s1_idx = 16'd0;
reg [5:0] s1_len = 6'd0;
reg s1_unknown = 1'b0;
reg s1_bad_len = 1'b0;
wire [7:0] done_spec_len = tg_itch_len(done_buf[7:0]);

wire s2_take = s1_valid && d_deliver && s1_idx < d_count;
wire s2_dup = s1_idx < d_skip;
wire [16:0] s2_seq_lo = {1'b0, d_seq[15:0]} + {1'b0, s1_idx};

always @(posedge clk) begin
    // ---- input side
    if (beat) begin
        bi <= last ? 9'd0 : bi_sat ? bi : bi_p1[8:0];
        if (last) begin
            bi_p1 <= 10'd1;
            bi_p2 <= 10'd2;
            boh <= 16'd1;
        end else begin
            if (!bi_sat) begin
                bi_p1 <= bi_p2;
                bi_p2 <= bi_p2 + 10'd1;
            end
            boh <= {boh[14:0], 1'b0};
        end
        for (fj = 1; fj <= 4; fj = fj + 1) begin
            if (boh[fj]) fhb[(fj - 1)*64 +: 64] <= s_axis_tdata;
        end
    end

    // ---- verdict trigger
    at_ps <= beat ? (last ? ps_oh_r[0] : |({boh[14:0], 1'b0} & ps_oh_r)) : |(boh & ps_oh_r);
    vn0 <= beat && !last && !triggered && at_ps;
    vl0 <= last && !triggered;
    vlen0 <= o_end[12:8] != 5'd0 ? 8'hff : o_end[7:0];
    vl1 <= vl0;
    vlen1 <= vlen0;
    vl2 <= vl1;
    vlen2 <= vlen1;
    if (last) begin
        triggered <= 1'b0;
    end else if (beat && at_ps) begin
        triggered <= 1'b1;
    end

    // ---- V1
    v2_go <= v1_go;
    if (v1_go) begin
        v2_pre_fail <= pre_fail;
        v2_pre_reason <= pre_reason;
        v2_post_fail <= post_fail;
        v2_post_reason <= post_reason;
        v2_stored_zero <= stored_zero_r;
        v2_diff <= {1'b0, next_seq} - {1'b0, mold_seq};
        v2_seq_m1 <= mold_seq - 64'd1;
        v2_seq_hi1 <= mold_seq[63:16] + 48'd1;
        v2_lo_ge <= next_seq[15:0] - mold_seq[15:0] >= mold_count;
        v2_cnt_normal <= mold_count != 16'd0 && mold_count != 16'hffff;
        v2_cnt_zero <= mold_count == 16'd0;
        v2_cnt_eos <= mold_count == 16'hffff;
        v2_total_end <= total_end_r;
    end

    // ---- V2
    gap_valid <= 1'b0;
    if (v2_go) begin
        d_fail <= v2_fail;
        d_reason <= v2_hdr_fail ? v2_hdr_reason : v2_ahead ? FR_MOLD_AHEAD : FR_MOLD_DUPLICATE;
        d_deliver <= !v2_fail && v2_cnt_normal;
        d_count <= mold_count;
        d_cnt_zero <= v2_cnt_zero;
        d_cnt_eos <= v2_cnt_eos;
        d_skip <= cfg_seq_check && have_session && !v2_ahead_n ? v2_diff[15:0] : 16'd0;
        d_seq <= mold_seq;
        d_seq_hi1 <= v2_seq_hi1;
        d_total_end <= v2_total_end;
        if (!v2_hdr_fail) begin
            if (v2_ahead) begin
                holding <= 1'b1;
                if (!holding) begin
                    gap_valid <= 1'b1;
                    gap_first <= next_seq;
                    gap_last <= v2_seq_m1;
                end
            end else if (cfg_seq_check) begin
                if (!v2_dup && v2_cnt_normal) begin
                    holding <= 1'b0;
                end
                if (!have_session) begin
                    have_session <= 1'b1;
                    session_reg <= mold_session;
                end
                if (!have_session || v2_ahead_n) begin
                    next_seq <= mold_seq;
                end
                if (v2_vgap) begin
                    gap_valid <= 1'b1;
                    gap_first <= next_seq;
                    gap_last <= v2_seq_m1;
                end
            end
        end
    end

    // ---- framer
    if (beat) begin
        if (done_now) begin
            idx <= idx1;
            idx1 <= idx1 + 16'd1;
        end
        first_pend <= first_pend && !at_ps;
        lh <= s_any && st_oh[7] && !lim7[13];
        lenhi <= B[7];
        lim_lh <= lim7;
        st0 <= s_next && e_ok;
        body <= ld || (body && !cntz);
        if (|pick) begin
            cnt <= ld_cnt;
            cntz <= ld_cntz;
            e_oh <= ld_eoh;
            ns_oh <= {ld_eoh[6:0], ld_eoh[7]};
            blen <= ld_len;
        end else begin
            cnt <= cnt - 13'd1;
            cntz <= cnt == 13'd1;
        end
        if (last) begin
            first_pend <= 1'b1;
            body <= 1'b0;
            lh <= 1'b0;
            st0 <= 1'b0;
            idx <= 16'd0;
            idx1 <= 16'd1;
        end
    end

    // the framing's stops, a cycle behind (nothing starts after a stop)
    ev_v <= beat;
    ev_last <= last;
    ev_pick <= pick;
    ev_cstop <= c_stop;
    ev_cwhy <= c_why;
    ev_npwhy <= np_why;
    ev_st7 <= st_oh[7] && lim7[13];
    ev_endfail <= endfail;
    ev_idx_r <= ev_inc ? idx1 : idx;
    ev_len <= o_end;
    if (ev_v && fr_act && ev_stop_r) begin
        fr_act <= 1'b0;
        stop_why <= ev_endfail ? FX_TRUNC : ev_why_r;
        stop_idx <= ev_idx_r;
    end

    // ---- frame end
    e_valid <= {e_valid[2:0], ev_v && ev_last};
    if (ev_v && ev_last) begin
        fr_act <= 1'b1;
        e_why[1:0] <= !fr_act ? stop_why : ev_endfail ? FX_TRUNC : ev_why_r;
        e_idx[15:0] <= fr_act ? ev_idx_r : stop_idx;
        e_len[12:0] <= ev_len;
    end
    e_why[7:2] <= e_why[5:0];
    e_idx[63:16] <= e_idx[47:0];
    e_len[51:13] <= e_len[38:0];

    frame_done <= e4_valid;
    frame_reason <= fin_reason;
    pkt_pulse <= e4_valid && !d_fail;
    heartbeat_pulse <= e4_valid && !d_fail && d_cnt_zero;
    eos_pulse <= e4_valid && !d_fail && d_cnt_eos;

    fe1_upd <= e4_valid && d_deliver;
    fe1_framed <= fe_lt ? e4_idx : d_count;
    fe1_seq <= d_seq;
    fe1_seq_hi1 <= d_seq_hi1;
    fe2_upd <= fe1_upd;
    fe2_sum <= {fe_lo[16] ? fe1_seq_hi1 : fe1_seq[63:16], fe_lo[15:0]};
    fe3_upd <= fe2_upd && fe2_sum > next_seq;
    fe3_sum <= fe2_sum;
    if (fe3_upd && cfg_seq_check) begin
        next_seq <= fe3_sum;
    end

    // ---- message stages
    s1_valid <= done_valid;
    s1_buf <= done_buf;
    s1_idx <= done_idx;
    s1_len <= done_blen[5:0];
    s1_unknown <= done_spec_len == 8'd0;
    s1_bad_len <= {8'd0, done_spec_len} != done_blen;

    msg_valid <= s2_take && !s2_dup && !s1_unknown && !s1_bad_len;
    dup_msg_pulse <= s2_take && s2_dup;
    unknown_pulse <= s2_take && !s2_dup && s1_unknown;
    bad_length_pulse <= s2_take && !s2_dup && !s1_unknown && s1_bad_len;
    msg_data <= s1_buf;
    msg_len <= s1_len;
    msg_seq <= {s2_seq_lo[16] ? d_seq_hi1 : d_seq[63:16], s2_seq_lo[15:0]};

    if (rst || seq_reset) begin
        have_session <= 1'b0;
        holding <= 1'b0;
        next_seq <= 64'd0;
    end
    if (rst) begin
        bi <= 9'd0;
        bi_p1 <= 10'd1;
        bi_p2 <= 10'd2;
        boh <= 16'd1;
        triggered <= 1'b0;
        vn0 <= 1'b0;
        vl0 <= 1'b0;
        vl1 <= 1'b0;
        vl2 <= 1'b0;
        v2_go <= 1'b0;
        fr_act <= 1'b1;
        first_pend <= 1'b1;
        body <= 1'b0;
        lh <= 1'b0;
        st0 <= 1'b0;
        idx <= 16'd0;
        idx1 <= 16'd1;
        e_valid <= 4'd0;
        ev_v <= 1'b0;
        at_ps <= 1'b0;
        d_fail <= 1'b1;
        d_deliver <= 1'b0;
        frame_done <= 1'b0;
        pkt_pulse <= 1'b0;
        heartbeat_pulse <= 1'b0;
        eos_pulse <= 1'b0;
        fe1_upd <= 1'b0;
        fe2_upd <= 1'b0;
        fe3_upd <= 1'b0;
        s1_valid <= 1'b0;
        msg_valid <= 1'b0;
        unknown_pulse <= 1'b0;
        bad_length_pulse <= 1'b0;
        dup_msg_pulse <= 1'b0;
        gap_valid <= 1'b0;
    end
end

endmodule

`resetall
