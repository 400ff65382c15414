// SPDX-License-Identifier: BSD-3-Clause
// The hostlane AFU: register block + job engine + kernels. A PCIe shell
// (or the Verilator driver) connects the MMIO port to BAR0, the memory port
// to DMA (addresses are IOVAs) and irq to an MSI-X vector. rst_n is
// synchronous, active low. idle is a hint for the simulator: nothing will
// change until the next MMIO write.
//
// KERNELS selects the function image built: bit 0 factorial, bit 1
// fibonacci, bit 2 crc32c. Kernels left out are not dispatched to (their
// jobs complete "function not offered"), so synthesis drops them, and
// CAP_LIST names only those built. Images: 3'b111 "full", 3'b100 "crc",
// 3'b011 "math" (docs/fpga.md, reconfiguration).
module fpga_afu_top #(
	parameter [2:0] KERNELS = 3'b111
) (
	input  wire        clk,
	input  wire        rst_n,
	input  wire        mmio_we,
	input  wire [11:0] mmio_addr,
	input  wire [31:0] mmio_wdata,
	output wire [31:0] mmio_rdata,
	output wire        mem_req,
	output wire        mem_we,
	output wire [63:0] mem_addr,
	output wire [63:0] mem_wdata,
	input  wire        mem_ack,
	input  wire        mem_err,
	input  wire [63:0] mem_rdata,
	output wire        irq,
	output wire        idle
);
	wire        rst = !rst_n;
	wire        soft_rst, start, ring_en, busy;
	wire        s_done, ev_cq, ev_scalar, ev_err;
	wire [3:0]  ring_log2;
	wire [15:0] s_fn;
	wire [31:0] sq_tail, s_in_len, sq_head, cq_tail;
	wire [63:0] sq_base, cq_base, s_arg0, s_arg1, s_in_addr, s_result;
	wire [7:0]  s_status, err_code;

	fpga_afu_regs #(.KERNELS(KERNELS)) u_regs (
		.clk(clk), .rst(rst), .mmio_we(mmio_we),
		.mmio_addr(mmio_addr), .mmio_wdata(mmio_wdata),
		.mmio_rdata(mmio_rdata), .soft_rst(soft_rst), .start(start),
		.ring_en(ring_en), .ring_log2(ring_log2), .sq_base(sq_base),
		.cq_base(cq_base), .sq_tail(sq_tail), .s_fn(s_fn),
		.s_in_len(s_in_len), .s_arg0(s_arg0), .s_arg1(s_arg1),
		.s_in_addr(s_in_addr), .s_result(s_result),
		.s_status(s_status), .s_done(s_done), .sq_head(sq_head),
		.cq_tail(cq_tail), .err_code(err_code), .busy(busy),
		.ev_cq(ev_cq), .ev_scalar(ev_scalar), .ev_err(ev_err),
		.irq(irq));

	fpga_afu_engine #(.KERNELS(KERNELS)) u_engine (
		.clk(clk), .rst(rst || soft_rst), .ring_en(ring_en),
		.ring_log2(ring_log2), .sq_base(sq_base), .cq_base(cq_base),
		.sq_tail(sq_tail), .start(start), .s_fn(s_fn),
		.s_in_len(s_in_len), .s_arg0(s_arg0), .s_arg1(s_arg1),
		.s_in_addr(s_in_addr), .s_result(s_result),
		.s_status(s_status), .s_done(s_done), .sq_head(sq_head),
		.cq_tail(cq_tail), .err_code(err_code), .busy(busy),
		.ev_cq(ev_cq), .ev_scalar(ev_scalar), .ev_err(ev_err),
		.mem_req(mem_req), .mem_we(mem_we), .mem_addr(mem_addr),
		.mem_wdata(mem_wdata), .mem_ack(mem_ack), .mem_err(mem_err),
		.mem_rdata(mem_rdata));

	// Quiet: no job, no pulse on its way to a register, or stopped by an error.
	assign idle = !start && !soft_rst && !ev_cq && !ev_scalar && !ev_err &&
		      (!busy || err_code != 8'd0);
endmodule
