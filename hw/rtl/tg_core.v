`resetall
`timescale 1ns / 1ps
`default_nettype none

// tickgate card core, board independent: CSR block, H2C/C2H ring engines,
// command executor and the network receive path.
//
// Board wrappers and the simulator connect the same four interfaces: the
// AXI-Lite CSR port (PCIe BAR), the DMA read and write ports (the board's DMA
// shell, or host shared memory in simulation), and the 64-bit AXI-Stream
// network input.
module tg_core #
(
    // Value reported by the BUILD_ID register
    parameter [31:0] BUILD_ID = 32'd0,
    // log2 of the frame-summary event queue depth
    parameter RX_EVT_FIFO_LOG2 = 5
)
(
    input  wire          clk,
    input  wire          rst,

    // CSR port (AXI-Lite slave, 4 KiB)
    input  wire [11:0]   s_axil_awaddr,
    input  wire [2:0]    s_axil_awprot,
    input  wire          s_axil_awvalid,
    output wire          s_axil_awready,
    input  wire [31:0]   s_axil_wdata,
    input  wire [3:0]    s_axil_wstrb,
    input  wire          s_axil_wvalid,
    output wire          s_axil_wready,
    output wire [1:0]    s_axil_bresp,
    output wire          s_axil_bvalid,
    input  wire          s_axil_bready,
    input  wire [11:0]   s_axil_araddr,
    input  wire [2:0]    s_axil_arprot,
    input  wire          s_axil_arvalid,
    output wire          s_axil_arready,
    output wire [31:0]   s_axil_rdata,
    output wire [1:0]    s_axil_rresp,
    output wire          s_axil_rvalid,
    input  wire          s_axil_rready,

    // DMA read: descriptor out, data in
    output wire [63:0]   m_axis_dma_rd_desc_addr,
    output wire [15:0]   m_axis_dma_rd_desc_len,
    output wire          m_axis_dma_rd_desc_valid,
    input  wire          m_axis_dma_rd_desc_ready,
    input  wire [63:0]   s_axis_dma_rd_data_tdata,
    input  wire          s_axis_dma_rd_data_tlast,
    input  wire          s_axis_dma_rd_data_tvalid,
    output wire          s_axis_dma_rd_data_tready,

    // DMA write: bursts, tuser = bus address of the burst, beats in order
    output wire [63:0]   m_axis_dma_wr_tdata,
    output wire [7:0]    m_axis_dma_wr_tkeep,
    output wire          m_axis_dma_wr_tlast,
    output wire [63:0]   m_axis_dma_wr_tuser,
    output wire          m_axis_dma_wr_tvalid,
    input  wire          m_axis_dma_wr_tready,

    // Network input: whole Ethernet frames without FCS
    input  wire [63:0]   s_axis_net_tdata,
    input  wire [7:0]    s_axis_net_tkeep,
    input  wire          s_axis_net_tlast,
    input  wire          s_axis_net_tvalid,
    output wire          s_axis_net_tready
);

reg [63:0] cycle_reg = 64'd0;
reg [63:0] h2c_records_reg = 64'd0;
reg [63:0] c2h_records_reg = 64'd0;
reg [63:0] h2c_phase_waits_reg = 64'd0;
reg [63:0] cmd_errors_reg = 64'd0;

wire control_enable, control_kill, control_h2c_en, control_c2h_en;
wire [31:0] h2c_base_lo, h2c_base_hi, c2h_base_lo, c2h_base_hi;
wire [4:0] h2c_size_log2, c2h_size_log2;
wire [31:0] h2c_prod, h2c_cons, c2h_prod, c2h_cons;
wire h2c_busy, c2h_full;
wire h2c_record_pulse, h2c_phase_wait_pulse, c2h_record_pulse, cmd_error_pulse;
wire [63:0] rx_frames, rx_bytes, rx_events_dropped;

/* verilator lint_off PINCONNECTEMPTY */
tg_csr_regs #(
    .BUILD_ID(BUILD_ID),
    .ADDR_WIDTH(12)
)
csr_inst (
    .clk(clk),
    .rst(rst),
    .s_axil_awaddr(s_axil_awaddr),
    .s_axil_awprot(s_axil_awprot),
    .s_axil_awvalid(s_axil_awvalid),
    .s_axil_awready(s_axil_awready),
    .s_axil_wdata(s_axil_wdata),
    .s_axil_wstrb(s_axil_wstrb),
    .s_axil_wvalid(s_axil_wvalid),
    .s_axil_wready(s_axil_wready),
    .s_axil_bresp(s_axil_bresp),
    .s_axil_bvalid(s_axil_bvalid),
    .s_axil_bready(s_axil_bready),
    .s_axil_araddr(s_axil_araddr),
    .s_axil_arprot(s_axil_arprot),
    .s_axil_arvalid(s_axil_arvalid),
    .s_axil_arready(s_axil_arready),
    .s_axil_rdata(s_axil_rdata),
    .s_axil_rresp(s_axil_rresp),
    .s_axil_rvalid(s_axil_rvalid),
    .s_axil_rready(s_axil_rready),
    // SCRATCH is storage for the host only; nothing in the card reads it
    .csr_scratch_value(),
    .csr_control_enable(control_enable),
    .csr_kill_engaged(control_kill),
    .csr_ring_control_h2c_en(control_h2c_en),
    .csr_ring_control_c2h_en(control_c2h_en),
    .csr_h2c_base_lo_addr(h2c_base_lo),
    .csr_h2c_base_hi_addr(h2c_base_hi),
    .csr_h2c_size_log2(h2c_size_log2),
    .csr_h2c_prod_index(h2c_prod),
    .csr_c2h_base_lo_addr(c2h_base_lo),
    .csr_c2h_base_hi_addr(c2h_base_hi),
    .csr_c2h_size_log2(c2h_size_log2),
    .csr_c2h_cons_index(c2h_cons),
    .csr_status_enabled(control_enable),
    .csr_status_killed(control_kill),
    .csr_status_h2c_running(control_h2c_en),
    .csr_status_c2h_running(control_c2h_en),
    .csr_status_h2c_busy(h2c_busy),
    .csr_status_c2h_full(c2h_full),
    .csr_h2c_cons_index(h2c_cons),
    .csr_c2h_prod_index(c2h_prod),
    .csr_uptime(cycle_reg),
    .csr_rx_frames(rx_frames),
    .csr_rx_bytes(rx_bytes),
    .csr_rx_events_dropped(rx_events_dropped),
    .csr_h2c_records(h2c_records_reg),
    .csr_c2h_records(c2h_records_reg),
    .csr_h2c_phase_waits(h2c_phase_waits_reg),
    .csr_cmd_errors(cmd_errors_reg)
);
/* verilator lint_on PINCONNECTEMPTY */

// H2C ring -> command executor
wire [511:0] cmd_tdata;
wire [63:0] cmd_tuser;
wire cmd_tvalid, cmd_tready;
wire [63:0] wb_tdata, wb_tuser;
wire [7:0] wb_tkeep;
wire wb_tlast, wb_tvalid, wb_tready;

tg_h2c_ring h2c_inst (
    .clk(clk),
    .rst(rst),
    .enable(control_h2c_en),
    .base_addr({h2c_base_hi, h2c_base_lo}),
    .size_log2(h2c_size_log2),
    .prod_index(h2c_prod),
    .cons_index(h2c_cons),
    .busy(h2c_busy),
    .cycle(cycle_reg),
    .m_axis_dma_rd_desc_addr(m_axis_dma_rd_desc_addr),
    .m_axis_dma_rd_desc_len(m_axis_dma_rd_desc_len),
    .m_axis_dma_rd_desc_valid(m_axis_dma_rd_desc_valid),
    .m_axis_dma_rd_desc_ready(m_axis_dma_rd_desc_ready),
    .s_axis_dma_rd_data_tdata(s_axis_dma_rd_data_tdata),
    .s_axis_dma_rd_data_tlast(s_axis_dma_rd_data_tlast),
    .s_axis_dma_rd_data_tvalid(s_axis_dma_rd_data_tvalid),
    .s_axis_dma_rd_data_tready(s_axis_dma_rd_data_tready),
    .m_axis_wb_tdata(wb_tdata),
    .m_axis_wb_tkeep(wb_tkeep),
    .m_axis_wb_tlast(wb_tlast),
    .m_axis_wb_tuser(wb_tuser),
    .m_axis_wb_tvalid(wb_tvalid),
    .m_axis_wb_tready(wb_tready),
    .m_axis_cmd_tdata(cmd_tdata),
    .m_axis_cmd_tuser(cmd_tuser),
    .m_axis_cmd_tvalid(cmd_tvalid),
    .m_axis_cmd_tready(cmd_tready),
    .record_pulse(h2c_record_pulse),
    .phase_wait_pulse(h2c_phase_wait_pulse)
);

// command answers
wire [511:0] ans_tdata;
wire ans_tvalid, ans_tready;

tg_cmd_exec exec_inst (
    .clk(clk),
    .rst(rst),
    .cycle(cycle_reg),
    .s_axis_cmd_tdata(cmd_tdata),
    .s_axis_cmd_tuser(cmd_tuser),
    .s_axis_cmd_tvalid(cmd_tvalid),
    .s_axis_cmd_tready(cmd_tready),
    .m_axis_evt_tdata(ans_tdata),
    .m_axis_evt_tvalid(ans_tvalid),
    .m_axis_evt_tready(ans_tready),
    .cmd_error_pulse(cmd_error_pulse)
);

// network receive path -> event queue
wire [511:0] rx_evt_tdata, rxq_tdata;
wire rx_evt_tvalid, rx_evt_tready, rxq_tvalid, rxq_tready;

tg_rx_summary rx_inst (
    .clk(clk),
    .rst(rst),
    .enable(control_enable),
    .cycle(cycle_reg),
    .s_axis_net_tdata(s_axis_net_tdata),
    .s_axis_net_tkeep(s_axis_net_tkeep),
    .s_axis_net_tlast(s_axis_net_tlast),
    .s_axis_net_tvalid(s_axis_net_tvalid),
    .s_axis_net_tready(s_axis_net_tready),
    .m_axis_evt_tdata(rx_evt_tdata),
    .m_axis_evt_tvalid(rx_evt_tvalid),
    .m_axis_evt_tready(rx_evt_tready),
    .rx_frames(rx_frames),
    .rx_bytes(rx_bytes),
    .rx_events_dropped(rx_events_dropped)
);

tg_rec_fifo #(
    .DATA_WIDTH(512),
    .DEPTH_LOG2(RX_EVT_FIFO_LOG2)
)
rxq_inst (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(rx_evt_tdata),
    .s_axis_tvalid(rx_evt_tvalid),
    .s_axis_tready(rx_evt_tready),
    .m_axis_tdata(rxq_tdata),
    .m_axis_tvalid(rxq_tvalid),
    .m_axis_tready(rxq_tready)
);

// events -> C2H ring
wire [511:0] evt_tdata;
wire evt_tvalid, evt_tready;

tg_rec_arb #(
    .DATA_WIDTH(512)
)
evt_arb_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(ans_tdata),
    .s0_axis_tvalid(ans_tvalid),
    .s0_axis_tready(ans_tready),
    .s1_axis_tdata(rxq_tdata),
    .s1_axis_tvalid(rxq_tvalid),
    .s1_axis_tready(rxq_tready),
    .m_axis_tdata(evt_tdata),
    .m_axis_tvalid(evt_tvalid),
    .m_axis_tready(evt_tready)
);

wire [63:0] c2h_wr_tdata, c2h_wr_tuser;
wire [7:0] c2h_wr_tkeep;
wire c2h_wr_tlast, c2h_wr_tvalid, c2h_wr_tready;

tg_c2h_ring c2h_inst (
    .clk(clk),
    .rst(rst),
    .enable(control_c2h_en),
    .base_addr({c2h_base_hi, c2h_base_lo}),
    .size_log2(c2h_size_log2),
    .cons_index(c2h_cons),
    .prod_index(c2h_prod),
    .full(c2h_full),
    .s_axis_evt_tdata(evt_tdata),
    .s_axis_evt_tvalid(evt_tvalid),
    .s_axis_evt_tready(evt_tready),
    .m_axis_dma_wr_tdata(c2h_wr_tdata),
    .m_axis_dma_wr_tkeep(c2h_wr_tkeep),
    .m_axis_dma_wr_tlast(c2h_wr_tlast),
    .m_axis_dma_wr_tuser(c2h_wr_tuser),
    .m_axis_dma_wr_tvalid(c2h_wr_tvalid),
    .m_axis_dma_wr_tready(c2h_wr_tready),
    .record_pulse(c2h_record_pulse)
);

tg_dma_wr_mux wr_mux_inst (
    .clk(clk),
    .rst(rst),
    .s0_axis_tdata(wb_tdata),
    .s0_axis_tkeep(wb_tkeep),
    .s0_axis_tlast(wb_tlast),
    .s0_axis_tuser(wb_tuser),
    .s0_axis_tvalid(wb_tvalid),
    .s0_axis_tready(wb_tready),
    .s1_axis_tdata(c2h_wr_tdata),
    .s1_axis_tkeep(c2h_wr_tkeep),
    .s1_axis_tlast(c2h_wr_tlast),
    .s1_axis_tuser(c2h_wr_tuser),
    .s1_axis_tvalid(c2h_wr_tvalid),
    .s1_axis_tready(c2h_wr_tready),
    .m_axis_tdata(m_axis_dma_wr_tdata),
    .m_axis_tkeep(m_axis_dma_wr_tkeep),
    .m_axis_tlast(m_axis_dma_wr_tlast),
    .m_axis_tuser(m_axis_dma_wr_tuser),
    .m_axis_tvalid(m_axis_dma_wr_tvalid),
    .m_axis_tready(m_axis_dma_wr_tready)
);

always @(posedge clk) begin
    cycle_reg <= cycle_reg + 64'd1;
    if (h2c_record_pulse) h2c_records_reg <= h2c_records_reg + 64'd1;
    if (c2h_record_pulse) c2h_records_reg <= c2h_records_reg + 64'd1;
    if (h2c_phase_wait_pulse) h2c_phase_waits_reg <= h2c_phase_waits_reg + 64'd1;
    if (cmd_error_pulse) cmd_errors_reg <= cmd_errors_reg + 64'd1;

    if (rst) begin
        cycle_reg <= 64'd0;
        h2c_records_reg <= 64'd0;
        c2h_records_reg <= 64'd0;
        h2c_phase_waits_reg <= 64'd0;
        cmd_errors_reg <= 64'd0;
    end
end

endmodule

`resetall
