`resetall
`timescale 1ns / 1ps
`default_nettype none

// Network receive path of the foundation core: counts every frame and byte
// and, while enabled, emits one FRAME summary event per frame.
//
// The input never stalls (tready is always high): a summary that finds the
// event queue full is dropped and counted, the frame itself is still
// counted. The feed pipeline (Ethernet/IPv4/UDP/MoldUDP64/ITCH) replaces
// the summary with parsed market data.
module tg_rx_summary
(
    input  wire          clk,
    input  wire          rst,

    input  wire          enable,
    input  wire [63:0]   cycle,

    input  wire [63:0]   s_axis_net_tdata,
    input  wire [7:0]    s_axis_net_tkeep,
    input  wire          s_axis_net_tlast,
    input  wire          s_axis_net_tvalid,
    output wire          s_axis_net_tready,

    output wire [511:0]  m_axis_evt_tdata,
    output wire          m_axis_evt_tvalid,
    input  wire          m_axis_evt_tready,

    output wire [63:0]   rx_frames,
    output wire [63:0]   rx_bytes,
    output wire [63:0]   rx_events_dropped
);

`include "tg_card_defs.vh"

localparam [15:0] ETHERTYPE_VLAN = 16'h8100;

reg [63:0] frames_reg = 64'd0;
reg [63:0] bytes_reg = 64'd0;
reg [63:0] dropped_reg = 64'd0;
reg [3:0] bytes_add_reg = 4'd0;      // the last beat's bytes, counted a cycle late
reg [31:0] len_reg = 32'd0;          // bytes so far in the current frame
reg [1:0] beat_reg = 2'd0;           // beat index, saturating at 3
reg [191:0] head_reg = 192'd0;       // first 24 bytes of the current frame

// frame completed last cycle, its summary being made
reg pend_reg = 1'b0;
reg [31:0] pend_len_reg = 32'd0;
reg [31:0] pend_no_reg = 32'd0;
reg [191:0] pend_head_reg = 192'd0;
reg [63:0] pend_cycle_reg = 64'd0;

// the summary, leaving: as an event, or as a counted drop when the queue is full
reg evt_valid_reg = 1'b0;
reg [511:0] evt_reg = 512'd0;

`include "tg_axis_keep.vh"

wire [3:0] beat_bytes = tg_keep_bytes(s_axis_net_tkeep);

wire [63:0] keep_mask;
genvar g;
generate
    for (g = 0; g < 8; g = g + 1) begin : gen_mask
        assign keep_mask[g*8 +: 8] = {8{s_axis_net_tkeep[g]}};
    end
endgenerate

wire beat_in = s_axis_net_tvalid;
wire [31:0] len_now = len_reg + {28'd0, beat_bytes};

// the first 3 beats each into their own place (a decode per beat, no shifter)
reg [191:0] head_now;
integer b;
always @* begin
    head_now = beat_reg == 2'd0 ? 192'd0 : head_reg;
    for (b = 0; b < 3; b = b + 1) begin
        if (beat_reg == b[1:0]) head_now[b*64 +: 64] = s_axis_net_tdata & keep_mask;
    end
end

// summary of the pending frame
wire [15:0] tpid = {pend_head_reg[12*8 +: 8], pend_head_reg[13*8 +: 8]};
wire has_vlan = pend_len_reg >= 32'd18 && tpid == ETHERTYPE_VLAN;
wire [15:0] ethertype = has_vlan ? {pend_head_reg[16*8 +: 8], pend_head_reg[17*8 +: 8]}
                      : pend_len_reg >= 32'd14 ? tpid : 16'd0;
wire [15:0] tci = has_vlan ? {pend_head_reg[14*8 +: 8], pend_head_reg[15*8 +: 8]} : 16'd0;

reg [511:0] evt;
always @* begin
    evt = 512'd0;
    evt[TG_C2H_TYPE_LSB +: TG_C2H_TYPE_W] = TG_C2H_EVT_FRAME;
    evt[TG_C2H_TIMESTAMP_LSB +: TG_C2H_TIMESTAMP_W] = pend_cycle_reg;
    evt[TG_C2H_FRAME_FRAME_LEN_LSB +: TG_C2H_FRAME_FRAME_LEN_W] = pend_len_reg;
    evt[TG_C2H_FRAME_FRAME_NO_LSB +: TG_C2H_FRAME_FRAME_NO_W] = pend_no_reg;
    evt[TG_C2H_FRAME_ETHERTYPE_LSB +: TG_C2H_FRAME_ETHERTYPE_W] = ethertype;
    evt[TG_C2H_FRAME_VLAN_TCI_LSB +: TG_C2H_FRAME_VLAN_TCI_W] = tci;
    evt[TG_C2H_FRAME_VLAN_LSB +: TG_C2H_FRAME_VLAN_W] = {7'd0, has_vlan};
    evt[TG_C2H_FRAME_HEAD_LSB +: TG_C2H_FRAME_HEAD_W] = pend_head_reg;
end

assign s_axis_net_tready = 1'b1;
assign m_axis_evt_tdata = evt_reg;
assign m_axis_evt_tvalid = evt_valid_reg;
assign rx_frames = frames_reg;
assign rx_bytes = bytes_reg;
assign rx_events_dropped = dropped_reg;

always @(posedge clk) begin
    // the summary leaves now, as an event or as a counted drop
    if (evt_valid_reg && !m_axis_evt_tready) begin
        dropped_reg <= dropped_reg + 64'd1;
    end
    evt_valid_reg <= pend_reg;
    evt_reg <= evt;
    pend_reg <= 1'b0;

    bytes_reg <= bytes_reg + {60'd0, bytes_add_reg};
    bytes_add_reg <= beat_in ? beat_bytes : 4'd0;
    if (beat_in) begin
        if (s_axis_net_tlast) begin
            frames_reg <= frames_reg + 64'd1;
            len_reg <= 32'd0;
            beat_reg <= 2'd0;
            pend_reg <= enable;
            pend_len_reg <= len_now;
            pend_no_reg <= frames_reg[31:0] + 32'd1;
            pend_head_reg <= head_now;
            pend_cycle_reg <= cycle;
        end else begin
            len_reg <= len_now;
            head_reg <= head_now;
            if (beat_reg != 2'd3) begin
                beat_reg <= beat_reg + 2'd1;
            end
        end
    end

    if (rst) begin
        frames_reg <= 64'd0;
        bytes_reg <= 64'd0;
        dropped_reg <= 64'd0;
        bytes_add_reg <= 4'd0;
        len_reg <= 32'd0;
        beat_reg <= 2'd0;
        pend_reg <= 1'b0;
        evt_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
