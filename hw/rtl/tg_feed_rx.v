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
//     wanted message leaves 2 cycles after its last byte came in;
//   - a frame's end decides what the headers could not (blocks running past
//     the packet, a frame shorter than its IP length, an over-long frame);
//     messages completed before that were delivered (cut-through);
//   - every frame ends as parsed or dropped for exactly one reason.
//
// Timing: a beat carries 8 bytes and every block is at least 14 bytes long
// (2-byte length + 12, shorter ones break the framing), so a beat holds at
// most one block start and one block end. The input never stalls.
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

localparam HDR_BYTES = 112;             // 18 (L2) + 60 (IP) + 8 (UDP) + 20 (Mold) < 112
localparam [11:0] MAX_FRAME_W = MAX_FRAME;
localparam [16:0] MAX_FRAME_17 = MAX_FRAME;

// ---------------------------------------------------------------- input beat
wire beat = s_axis_tvalid;
wire last = s_axis_tvalid && s_axis_tlast;

`include "tg_axis_keep.vh"

wire [3:0] nb = tg_keep_bytes(s_axis_tkeep);  // bytes in this beat

wire [7:0] B [0:7];
genvar g;
generate
    for (g = 0; g < 8; g = g + 1) begin : gen_lane
        assign B[g] = s_axis_tdata[g*8 +: 8];
    end
endgenerate

reg [8:0] bi = 9'd0;                    // beat index in the frame, saturating
wire [11:0] o = {bi, 3'b000};           // frame offset of lane 0
wire [11:0] o_end = o + {8'd0, nb};     // frame offset one past the last byte in

// first HDR_BYTES bytes of the frame
reg [HDR_BYTES*8-1:0] hdr = {HDR_BYTES*8{1'b0}};

function automatic [7:0] hb(input integer i);
    hb = hdr[i*8 +: 8];
endfunction

// ---------------------------------------------------------------- header fields
// All decode from hdr, which lags the input by one cycle. L2 is 14 or 18,
// the UDP header starts at 34 + 4*uk with uk = vlan + ihl - 5 (0..11).
wire vlan = {hb(12), hb(13)} == 16'h8100;
wire [15:0] ethertype = vlan ? {hb(16), hb(17)} : {hb(12), hb(13)};
wire [7:0] ip0 = vlan ? hb(18) : hb(14);
wire [3:0] ihl = ip0[3:0];
wire [15:0] ip_total = vlan ? {hb(20), hb(21)} : {hb(16), hb(17)};
wire [15:0] ip_csum_stored = vlan ? {hb(28), hb(29)} : {hb(24), hb(25)};
wire [13:0] ip_frag = vlan ? {hdr[24*8 +: 6], hb(25)} : {hdr[20*8 +: 6], hb(21)};
wire [7:0] ip_proto = vlan ? hb(27) : hb(23);
wire [31:0] ip_dst = vlan ? {hb(34), hb(35), hb(36), hb(37)} : {hb(30), hb(31), hb(32), hb(33)};
wire [11:0] l2_len = vlan ? 12'd18 : 12'd14;
wire [11:0] ihl_bytes = {6'd0, ihl, 2'b00};
wire [3:0] uk = {3'd0, vlan} + ihl - 4'd5;

// byte j of the UDP header plus MoldUDP64 header (0..27)
function automatic [7:0] ub(input integer j);
    case (uk)
        4'd0: ub = hb(34 + j);
        4'd1: ub = hb(38 + j);
        4'd2: ub = hb(42 + j);
        4'd3: ub = hb(46 + j);
        4'd4: ub = hb(50 + j);
        4'd5: ub = hb(54 + j);
        4'd6: ub = hb(58 + j);
        4'd7: ub = hb(62 + j);
        4'd8: ub = hb(66 + j);
        4'd9: ub = hb(70 + j);
        4'd10: ub = hb(74 + j);
        default: ub = hb(78 + j);
    endcase
endfunction

wire [15:0] udp_dport = {ub(2), ub(3)};
wire [15:0] udp_len = {ub(4), ub(5)};
wire [79:0] mold_session = {ub(8), ub(9), ub(10), ub(11), ub(12), ub(13), ub(14), ub(15), ub(16), ub(17)};
wire [63:0] mold_seq = {ub(18), ub(19), ub(20), ub(21), ub(22), ub(23), ub(24), ub(25)};
wire [15:0] mold_count = {ub(26), ub(27)};

wire [11:0] udp_off = l2_len + ihl_bytes;
wire [11:0] pay_off = udp_off + 12'd28;          // first message block
// payload end (one past), from the UDP length; only meaningful when udp_len >= 28
wire [11:0] pay_end = udp_off + udp_len[11:0] + (udp_len[15:12] != 4'd0 ? 12'hfff : 12'd0);

// registered copies for the framer (valid from beat 7 on, see the timing note)
reg [11:0] pay_off_reg = 12'd0;
reg [11:0] pay_end_reg = 12'd0;

// ---------------------------------------------------------------- IP checksum
// One's-complement sum of the IP header words, 4 words per beat. Words sit
// at even offsets; a word is in the header when L2 <= off < L2 + 4*ihl.
reg [21:0] csum = 22'd0;
reg [21:0] csum_add;
reg vlan_now;
reg [11:0] ip_end_now;
integer w;
always @* begin
    // in beat 1 the TPID is on the input, later in hdr
    vlan_now = bi == 9'd1 ? {B[4], B[5]} == 16'h8100 : vlan;
    // before the IHL is in, assume 20 bytes (every header has those)
    ip_end_now = (vlan_now ? 12'd18 : 12'd14) + (bi >= 9'd4 ? ihl_bytes : 12'd20);
    csum_add = 22'd0;
    for (w = 0; w < 4; w = w + 1) begin
        if (o + {9'd0, w[1:0], 1'b0} >= (vlan_now ? 12'd18 : 12'd14) && o + {9'd0, w[1:0], 1'b0} < ip_end_now
                && {1'b0, w[1:0], 1'b1} < nb) begin
            csum_add = csum_add + {6'd0, B[2*w], B[2*w+1]};
        end
    end
end
wire [21:0] csum_next = (bi == 9'd0 ? 22'd0 : csum) + csum_add;
wire [16:0] csum_fold1 = {1'b0, csum[15:0]} + {11'd0, csum[21:16]};
wire [15:0] csum_fold = csum_fold1[15:0] + {15'd0, csum_fold1[16]};

// ---------------------------------------------------------------- verdict
// Decided once per frame, in the cycle after the beat that completed the
// MoldUDP64 header (v_len >= pay_off) or that ended the frame early.
reg v_go = 1'b0;                  // this cycle decides
reg [11:0] v_len = 12'd0;         // frame bytes in at the trigger
reg triggered = 1'b0;

reg have_session = 1'b0;
reg holding = 1'b0;                // gap hold: packets beyond next_seq are being dropped
assign seq_have_session = have_session;
assign seq_holding = holding;
reg [79:0] session_reg = 80'd0;
reg [63:0] next_seq = 64'd0;
assign seq_next = next_seq;

// decided per frame, used by the message stage and the frame end
reg d_deliver = 1'b0;             // message blocks of this frame are wanted
reg d_fail = 1'b0;                // the headers dropped the frame
reg [4:0] d_reason = 5'd0;        // header drop reason
reg [15:0] d_count = 16'd0;
reg [15:0] d_skip = 16'd0;        // blocks already seen
reg [63:0] d_seq = 64'd0;
reg [11:0] d_total_end = 12'd0;   // L2 + IP total length (frame must be at least this)
reg d_total_big = 1'b0;           // L2 + IP total length beyond 4095

function automatic filter_hit(input [31:0] dst, input [15:0] port,
                              input [FILTERS*32-1:0] fa, input [FILTERS*16-1:0] fp,
                              input [FILTERS-1:0] fv);
    integer f;
    begin
        filter_hit = 1'b0;
        for (f = 0; f < FILTERS; f = f + 1) begin
            if (fv[f] && fp[f*16 +: 16] == port && (fa[f*32 +: 32] == 32'd0 || fa[f*32 +: 32] == dst)) begin
                filter_hit = 1'b1;
            end
        end
    end
endfunction

reg vfail;
reg [4:0] vreason;
reg [63:0] vnext;
reg vgap;
reg vdeliver;
reg [15:0] vskip;
wire [16:0] total_end17 = {5'd0, l2_len} + {1'b0, ip_total};
wire [15:0] ip_payload = ip_total - {4'd0, ihl_bytes};
wire count_normal = mold_count != 16'd0 && mold_count != 16'hffff;
wire [64:0] seq_plus_count = {1'b0, mold_seq} + {49'd0, mold_count};
always @* begin
    vfail = 1'b1;
    vreason = FR_RUNT;
    vnext = have_session ? next_seq : mold_seq;
    vgap = 1'b0;
    vdeliver = 1'b0;
    vskip = 16'd0;
    if (v_len < 12'd14 || (vlan && v_len < 12'd18)) begin
        vreason = FR_RUNT;
    end else if (ethertype != 16'h0800) begin
        vreason = FR_NOT_IPV4;
    end else if (v_len < l2_len + 12'd20 || ip0[7:4] != 4'd4 || ihl < 4'd5) begin
        vreason = FR_IP_HEADER;
    end else if (ip_total < {4'd0, ihl_bytes}) begin
        vreason = FR_IP_HEADER;
    end else if (total_end17 > MAX_FRAME_17) begin
        vreason = FR_JUMBO;
    end else if (v_len < udp_off) begin
        vreason = FR_IP_TRUNCATED;
    end else if (csum_fold != 16'hffff && !(ip_csum_stored == 16'd0 && !cfg_seq_check && cfg_accept_all)) begin
        vreason = FR_IP_CHECKSUM;
    end else if (ip_frag[13:0] != 14'd0) begin
        vreason = FR_IP_FRAGMENT;
    end else if (ip_proto != 8'd17) begin
        vreason = FR_NOT_UDP;
    end else if (ip_payload < 16'd8) begin
        vreason = FR_UDP_LENGTH;
    end else if (v_len < udp_off + 12'd8) begin
        vreason = FR_IP_TRUNCATED;
    end else if (udp_len < 16'd8 || udp_len > ip_payload) begin
        vreason = FR_UDP_LENGTH;
    end else if (!cfg_accept_all && !filter_hit(ip_dst, udp_dport, cfg_filter_addr,
                                               cfg_filter_port, cfg_filter_valid)) begin
        vreason = FR_UDP_FILTER;
    end else if (udp_len < 16'd28) begin
        vreason = FR_MOLD_SHORT;
    end else if (v_len < pay_off) begin
        vreason = FR_IP_TRUNCATED;
    end else if (cfg_seq_check && have_session && mold_session != session_reg) begin
        vreason = FR_MOLD_SESSION;
    end else begin
        vfail = 1'b0;
        if (cfg_seq_check) begin
            if (cfg_gap_hold && have_session && mold_seq > vnext) begin
                // wait for the missing messages: report the gap once per hold
                vfail = 1'b1;
                vreason = FR_MOLD_AHEAD;
                vgap = !holding;
            end else begin
                if (mold_seq > vnext) begin
                    vgap = 1'b1;
                end
                if (vgap) begin
                    vnext = mold_seq;
                end
                if (count_normal && seq_plus_count <= {1'b0, vnext}) begin
                    vfail = 1'b1;
                    vreason = FR_MOLD_DUPLICATE;
                end
            end
            vskip = vnext[15:0] - mold_seq[15:0];
        end
        vdeliver = !vfail && count_normal;
    end
end

// ---------------------------------------------------------------- block framer
localparam [1:0] FS_SEEK = 2'd0, FS_LENLO = 2'd1, FS_BODY = 2'd2, FS_STOP = 2'd3;
localparam [1:0] FX_OVERRUN = 2'd1, FX_RUNT = 2'd2, FX_TRUNC = 2'd3;

reg [1:0] fs = FS_SEEK;
reg [11:0] f_next = 12'd0;       // SEEK: offset of the next block (0: the first, at pay_off)
reg [11:0] f_start = 12'd0;      // LENLO/BODY: offset of the current block
reg [11:0] f_end = 12'd0;        // BODY: one past its last byte
reg [15:0] f_blen = 16'd0;
reg [7:0] f_lenhi = 8'd0;
reg [15:0] f_idx = 16'd0;        // index of the current (or next) block
reg [1:0] f_stop = 2'd0;         // why the framing stopped
reg [15:0] f_stop_idx = 16'd0;

reg [399:0] mbuf = 400'd0;       // message bytes of the current block (50 at most)

// message completed this beat, checked next cycle
reg done_valid = 1'b0;
reg [399:0] done_buf = 400'd0;
reg [15:0] done_idx = 16'd0;
reg [15:0] done_blen = 16'd0;

// framing of this beat
reg [1:0] fs_n;
reg [11:0] f_next_n, f_start_n, f_end_n;
reg [15:0] f_blen_n, f_idx_n;
reg [7:0] f_lenhi_n;
reg [1:0] f_stop_n;
reg [15:0] f_stop_idx_n;
reg cur_end;                     // the current block ends in this beat
reg cur_in;                      // the current block has bytes in this beat
reg new_in;                      // a block starts in this beat
reg [11:0] st;                   // its offset
reg [2:0] sl;                    // its lane
reg [11:0] cur_ms, new_ms;       // offsets of message byte 0

task automatic stop_at(input [1:0] why, input [15:0] idx);
    begin
        fs_n = FS_STOP;
        f_stop_n = why;
        f_stop_idx_n = idx;
    end
endtask

// a block length is known: check it, enter the body
task automatic take_len(input [11:0] start, input [15:0] blen, input [15:0] idx);
    reg [16:0] bend;
    begin
        bend = {5'd0, start} + 17'd2 + {1'b0, blen};
        f_blen_n = blen;
        if (blen < 16'd12) begin
            stop_at(FX_RUNT, idx);
        end else if (bend > {5'd0, pay_end_reg}) begin
            stop_at(FX_OVERRUN, idx);
        end else begin
            fs_n = FS_BODY;
            f_end_n = bend[11:0];
        end
    end
endtask

always @* begin
    fs_n = fs;
    f_next_n = f_next;
    f_start_n = f_start;
    f_end_n = f_end;
    f_blen_n = f_blen;
    f_idx_n = f_idx;
    f_lenhi_n = f_lenhi;
    f_stop_n = f_stop;
    f_stop_idx_n = f_stop_idx;
    cur_end = 1'b0;
    cur_in = 1'b0;
    new_in = 1'b0;
    st = 12'd0;
    sl = 3'd0;
    cur_ms = f_start + 12'd2;
    new_ms = 12'd0;

    // 1. the block in progress
    if (fs == FS_LENLO) begin
        cur_in = 1'b1;
        if (nb != 4'd0) begin
            take_len(f_start, {f_lenhi, B[0]}, f_idx);
        end
    end else if (fs == FS_BODY) begin
        cur_in = 1'b1;
        if (f_end <= o_end) begin
            cur_end = 1'b1;
            fs_n = FS_SEEK;
            f_next_n = f_end;
            f_idx_n = f_idx + 16'd1;
        end
    end

    // 2. a block start in this beat (at most one)
    st = fs == FS_SEEK ? (f_idx == 16'd0 ? pay_off_reg : f_next) : f_end;
    sl = st[2:0];
    if ((fs == FS_SEEK && bi >= 9'd7) || cur_end) begin
        if (st >= o && st < o_end) begin
            new_in = 1'b1;
            new_ms = st + 12'd2;
            if ({5'd0, st} + 17'd2 > {5'd0, pay_end_reg}) begin
                new_in = 1'b0;
                stop_at(FX_OVERRUN, f_idx_n);
            end else if (sl == 3'd7) begin
                fs_n = FS_LENLO;
                f_start_n = st;
                f_lenhi_n = B[7];
            end else if ({1'b0, sl} + 4'd1 < nb) begin
                f_start_n = st;
                take_len(st, {B[sl], B[sl + 3'd1]}, f_idx_n);
            end else begin
                // the frame ends inside the length field
                fs_n = FS_LENLO;
                f_start_n = st;
            end
        end
    end

    // 3. the frame ends: whatever is unfinished was truncated (or runs past the packet)
    if (last && fs_n != FS_STOP) begin
        if (fs_n == FS_SEEK) begin
            stop_at({5'd0, (fs == FS_SEEK && f_idx == 16'd0) ? pay_off_reg : f_next_n} + 17'd2
                        > {5'd0, pay_end_reg} ? FX_OVERRUN : FX_TRUNC, f_idx_n);
        end else begin
            stop_at(FX_TRUNC, f_idx_n);
        end
    end
end

// message bytes: byte i of a message starting at offset ms sits in lane
// (ms + i) & 7 of the beat whose index is (ms + i) >> 3
reg [399:0] mbuf_n;
reg [399:0] done_n;
reg [11:0] oi_cur, oi_new;
integer m;
always @* begin
    mbuf_n = mbuf;
    done_n = mbuf;
    for (m = 0; m < 50; m = m + 1) begin
        oi_cur = cur_ms + m[11:0];
        oi_new = new_ms + m[11:0];
        if (cur_in && oi_cur[11:3] == bi) begin
            done_n[m*8 +: 8] = B[oi_cur[2:0]];
            mbuf_n[m*8 +: 8] = B[oi_cur[2:0]];
        end
        if (new_in && oi_new[11:3] == bi) begin
            mbuf_n[m*8 +: 8] = B[oi_new[2:0]];
        end
    end
end

// ---------------------------------------------------------------- frame end
// The framer's final state waits one cycle so the verdict (decided at the
// latest in the cycle after the last beat) is in.
reg e1_valid = 1'b0, e2_valid = 1'b0;
reg [1:0] e1_stop = 2'd0, e2_stop = 2'd0;
reg [15:0] e1_idx = 16'd0, e2_idx = 16'd0;
reg [11:0] e1_len = 12'd0, e2_len = 12'd0;

reg [4:0] fin_reason;
reg [15:0] fin_framed;
always @* begin
    fin_framed = e2_idx < d_count ? e2_idx : d_count;
    if (d_fail) begin
        fin_reason = d_reason;
    end else if (d_deliver && e2_idx < d_count) begin
        fin_reason = e2_stop == FX_RUNT ? FR_MSG_RUNT
                   : e2_stop == FX_OVERRUN ? FR_MSG_OVERRUN : FR_IP_TRUNCATED;
    end else if (d_total_big || d_total_end > e2_len) begin
        fin_reason = FR_IP_TRUNCATED;
    end else if (e2_len > MAX_FRAME_W) begin
        fin_reason = FR_JUMBO;
    end else begin
        fin_reason = FR_PARSED;
    end
end

// ---------------------------------------------------------------- message stage
integer h;
wire [7:0] done_type = done_buf[7:0];
wire [7:0] done_spec_len = tg_itch_len(done_type);

always @(posedge clk) begin
    // ---- input side
    if (beat) begin
        for (h = 0; h < HDR_BYTES; h = h + 1) begin
            if (h[11:3] == bi) begin
                hdr[h*8 +: 8] <= B[h % 8];
            end
        end
        csum <= csum_next;
        if (last) begin
            bi <= 9'd0;
        end else if (bi != 9'h1ff) begin
            bi <= bi + 9'd1;
        end
    end
    pay_off_reg <= pay_off;
    pay_end_reg <= udp_len >= 16'd28 ? pay_end : pay_off;

    v_go <= 1'b0;
    if (beat && !triggered && (last || (bi >= 9'd7 && o_end >= pay_off_reg))) begin
        v_go <= 1'b1;
        v_len <= o_end;
        triggered <= !last;
    end else if (last) begin
        triggered <= 1'b0;
    end

    // ---- verdict
    gap_valid <= 1'b0;
    if (v_go) begin
        d_fail <= vfail;
        d_reason <= vreason;
        d_deliver <= vdeliver;
        d_count <= mold_count;
        d_skip <= vskip;
        d_seq <= mold_seq;
        d_total_end <= total_end17[11:0];
        d_total_big <= total_end17[16:12] != 5'd0;
        if (vreason == FR_MOLD_AHEAD) begin
            holding <= 1'b1;
            if (vgap) begin
                gap_valid <= 1'b1;
                gap_first <= next_seq;
                gap_last <= mold_seq - 64'd1;
            end
        end else if (!vfail || vreason == FR_MOLD_DUPLICATE) begin
            if (!vfail && count_normal && seq_plus_count > {1'b0, next_seq}) begin
                holding <= 1'b0;
            end
            if (cfg_seq_check) begin
                if (!have_session) begin
                    have_session <= 1'b1;
                    session_reg <= mold_session;
                end
                next_seq <= vnext;
                if (vgap) begin
                    gap_valid <= 1'b1;
                    gap_first <= have_session ? next_seq : mold_seq;
                    gap_last <= mold_seq - 64'd1;
                end
            end
        end
    end

    // ---- framer
    if (beat) begin
        fs <= fs_n;
        f_next <= f_next_n;
        f_start <= f_start_n;
        f_end <= f_end_n;
        f_blen <= f_blen_n;
        f_idx <= f_idx_n;
        f_lenhi <= f_lenhi_n;
        f_stop <= f_stop_n;
        f_stop_idx <= f_stop_idx_n;
        mbuf <= mbuf_n;
        if (last) begin
            fs <= FS_SEEK;
            f_idx <= 16'd0;
            f_next <= 12'd0;
        end
    end
    done_valid <= beat && cur_end;
    if (beat && cur_end) begin
        done_buf <= done_n;
        done_idx <= f_idx;
        done_blen <= f_blen;
    end

    // ---- frame end
    e1_valid <= last;
    if (last) begin
        e1_stop <= f_stop_n;
        e1_idx <= f_stop_idx_n;
        e1_len <= o_end;
    end
    e2_valid <= e1_valid;
    e2_stop <= e1_stop;
    e2_idx <= e1_idx;
    e2_len <= e1_len;

    frame_done <= e2_valid;
    frame_reason <= fin_reason;
    pkt_pulse <= e2_valid && !d_fail;
    heartbeat_pulse <= e2_valid && !d_fail && d_count == 16'd0;
    eos_pulse <= e2_valid && !d_fail && d_count == 16'hffff;
    if (e2_valid && d_deliver && cfg_seq_check && d_seq + {48'd0, fin_framed} > next_seq) begin
        next_seq <= d_seq + {48'd0, fin_framed};
    end

    // ---- message stage
    msg_valid <= 1'b0;
    unknown_pulse <= 1'b0;
    bad_length_pulse <= 1'b0;
    dup_msg_pulse <= 1'b0;
    if (done_valid && d_deliver && done_idx < d_count) begin
        if (done_idx < d_skip) begin
            dup_msg_pulse <= 1'b1;
        end else if (done_spec_len == 8'd0) begin
            unknown_pulse <= 1'b1;
        end else if ({8'd0, done_spec_len} != done_blen) begin
            bad_length_pulse <= 1'b1;
        end else begin
            msg_valid <= 1'b1;
        end
    end
    msg_data <= done_buf;
    msg_len <= done_blen[5:0];
    msg_seq <= d_seq + {48'd0, done_idx};

    if (rst || seq_reset) begin
        have_session <= 1'b0;
        holding <= 1'b0;
        next_seq <= 64'd0;
    end
    if (rst) begin
        bi <= 9'd0;
        v_go <= 1'b0;
        triggered <= 1'b0;
        fs <= FS_SEEK;
        f_idx <= 16'd0;
        done_valid <= 1'b0;
        e1_valid <= 1'b0;
        e2_valid <= 1'b0;
        d_fail <= 1'b1;
        d_deliver <= 1'b0;
        frame_done <= 1'b0;
        pkt_pulse <= 1'b0;
        heartbeat_pulse <= 1'b0;
        eos_pulse <= 1'b0;
        msg_valid <= 1'b0;
        unknown_pulse <= 1'b0;
        bad_length_pulse <= 1'b0;
        dup_msg_pulse <= 1'b0;
        gap_valid <= 1'b0;
    end
end

endmodule

`resetall
