// SPDX-License-Identifier: BSD-3-Clause
// Register block of the AFU (BAR0): decodes 32-bit MMIO accesses, holds the
// configuration, turns CTRL writes into start/reset pulses, and keeps the
// interrupt status. Offsets and bit fields: fpga/afu_regs.h.
// MMIO reads are combinational and side-effect free; a write takes effect
// on the clock edge where mmio_we is high.
// KERNELS: the image's kernels (see fpga_afu_top.v), listed in CAP_LIST in
// function id order.
module fpga_afu_regs #(
	parameter [2:0] KERNELS = 3'b111
) (
	input  wire        clk,
	input  wire        rst,
	input  wire        mmio_we,
	input  wire [11:0] mmio_addr,
	input  wire [31:0] mmio_wdata,
	output reg  [31:0] mmio_rdata,
	// to the engine
	output reg         soft_rst,
	output reg         start,
	output reg         ring_en,
	output reg  [3:0]  ring_log2,
	output reg  [63:0] sq_base,
	output reg  [63:0] cq_base,
	output reg  [31:0] sq_tail,
	output reg  [15:0] s_fn,
	output reg  [31:0] s_in_len,
	output reg  [63:0] s_arg0,
	output reg  [63:0] s_arg1,
	output reg  [63:0] s_in_addr,
	// from the engine
	input  wire [63:0] s_result,
	input  wire [7:0]  s_status,
	input  wire        s_done,
	input  wire [31:0] sq_head,
	input  wire [31:0] cq_tail,
	input  wire [7:0]  err_code,
	input  wire        busy,
	input  wire        ev_cq,
	input  wire        ev_scalar,
	input  wire        ev_err,
	output wire        irq
);
	localparam [31:0] ID = 32'h484C4146, VERSION = 32'h00010000;
	localparam [31:0] CAP_COUNT = {31'd0, KERNELS[0]} +
		{31'd0, KERNELS[1]} + {31'd0, KERNELS[2]};
	// Function ids 2, 3, 4 for bits 0, 1, 2, packed from entry 0.
	localparam [31:0] CAP0 = KERNELS[0] ? 32'd2 : KERNELS[1] ? 32'd3 :
				 KERNELS[2] ? 32'd4 : 32'd0;
	localparam [31:0] CAP1 = KERNELS[0] && KERNELS[1] ? 32'd3 :
				 (KERNELS[0] || KERNELS[1]) && KERNELS[2] ?
				 32'd4 : 32'd0;
	localparam [31:0] CAP2 = KERNELS == 3'b111 ? 32'd4 : 32'd0;

	reg [31:0] scratch;
	reg [2:0]  irq_status;
	reg [2:0]  irq_mask;
	reg [63:0] cycles;

	wire [1:0] st = err_code != 8'd0 ? 2'd3 : busy ? 2'd1 :
			s_done ? 2'd2 : 2'd0;
	wire [31:0] status = {8'd0, s_status, err_code, 6'd0, st};
	wire wr_ctrl = mmio_we && mmio_addr == 12'h010;

	assign irq = (irq_status & ~irq_mask) != 3'd0;

	always @(*) begin
		case (mmio_addr)
		12'h000: mmio_rdata = ID;
		12'h004: mmio_rdata = VERSION;
		12'h008: mmio_rdata = CAP_COUNT;
		12'h00C: mmio_rdata = scratch;
		12'h010: mmio_rdata = {29'd0, ring_en, 2'd0};
		12'h014: mmio_rdata = status;
		12'h01C: mmio_rdata = {29'd0, irq_status};
		12'h020: mmio_rdata = {29'd0, irq_mask};
		12'h024: mmio_rdata = sq_head;
		12'h028: mmio_rdata = cq_tail;
		12'h02C: mmio_rdata = {28'd0, ring_log2};
		12'h030: mmio_rdata = sq_base[31:0];
		12'h034: mmio_rdata = sq_base[63:32];
		12'h038: mmio_rdata = cq_base[31:0];
		12'h03C: mmio_rdata = cq_base[63:32];
		12'h040: mmio_rdata = {16'd0, s_fn};
		12'h044: mmio_rdata = s_in_len;
		12'h048: mmio_rdata = s_arg0[31:0];
		12'h04C: mmio_rdata = s_arg0[63:32];
		12'h050: mmio_rdata = s_arg1[31:0];
		12'h054: mmio_rdata = s_arg1[63:32];
		12'h058: mmio_rdata = s_in_addr[31:0];
		12'h05C: mmio_rdata = s_in_addr[63:32];
		12'h060: mmio_rdata = s_result[31:0];
		12'h064: mmio_rdata = s_result[63:32];
		12'h068: mmio_rdata = cycles[31:0];
		12'h06C: mmio_rdata = cycles[63:32];
		12'h080: mmio_rdata = CAP0;
		12'h084: mmio_rdata = CAP1;
		12'h088: mmio_rdata = CAP2;
		default: mmio_rdata = 32'd0;
		endcase
	end

	// Pulses last one cycle; RESET also clears what the engine cannot.
	always @(posedge clk) begin
		if (rst) begin
			soft_rst <= 1'b0;
			start <= 1'b0;
		end else begin
			soft_rst <= wr_ctrl && mmio_wdata[1];
			start <= wr_ctrl && mmio_wdata[0] && !mmio_wdata[1];
		end
	end

	always @(posedge clk) begin
		if (rst)
			cycles <= 64'd0;
		else
			cycles <= cycles + 64'd1;
	end

	always @(posedge clk) begin
		if (rst || soft_rst) begin
			irq_status <= 3'd0;
			sq_tail <= 32'd0;
			ring_en <= 1'b0;
		end else begin
			irq_status <= irq_status | {ev_scalar, ev_err, ev_cq};
			if (mmio_we && mmio_addr == 12'h01C)
				irq_status <= (irq_status & ~mmio_wdata[2:0]) |
					      {ev_scalar, ev_err, ev_cq};
			if (mmio_we && mmio_addr == 12'h018)
				sq_tail <= mmio_wdata;
			if (wr_ctrl && !mmio_wdata[1])
				ring_en <= mmio_wdata[2];
		end
	end

	always @(posedge clk) begin
		if (rst) begin
			scratch <= 32'd0;
			irq_mask <= 3'b111;
			ring_log2 <= 4'd0;
			sq_base <= 64'd0;
			cq_base <= 64'd0;
			s_fn <= 16'd0;
			s_in_len <= 32'd0;
			s_arg0 <= 64'd0;
			s_arg1 <= 64'd0;
			s_in_addr <= 64'd0;
		end else if (mmio_we) begin
			case (mmio_addr)
			12'h00C: scratch <= mmio_wdata;
			12'h020: irq_mask <= mmio_wdata[2:0];
			12'h02C: ring_log2 <= mmio_wdata[3:0];
			12'h030: sq_base[31:0] <= mmio_wdata;
			12'h034: sq_base[63:32] <= mmio_wdata;
			12'h038: cq_base[31:0] <= mmio_wdata;
			12'h03C: cq_base[63:32] <= mmio_wdata;
			12'h040: s_fn <= mmio_wdata[15:0];
			12'h044: s_in_len <= mmio_wdata;
			12'h048: s_arg0[31:0] <= mmio_wdata;
			12'h04C: s_arg0[63:32] <= mmio_wdata;
			12'h050: s_arg1[31:0] <= mmio_wdata;
			12'h054: s_arg1[63:32] <= mmio_wdata;
			12'h058: s_in_addr[31:0] <= mmio_wdata;
			12'h05C: s_in_addr[63:32] <= mmio_wdata;
			default: ;
			endcase
		end
	end
endmodule
