// SPDX-License-Identifier: BSD-3-Clause
// Job engine of the AFU: fetches descriptors from the submission ring (or
// takes the scalar job from the registers), checks them, dispatches them
// to the kernels, streams crc32c payloads, and writes completions.
//
// Issue is in order, one held descriptor at a time; the three kernels run
// concurrently, so completions return in the order jobs finish. One memory
// port (64-bit words, request held until ack) serves descriptor reads,
// payload reads and completion writes; any bus error is fatal (state ERR
// with a code) until a soft reset. Register offsets and layouts: afu_regs.h.
// KERNELS: which kernels this image offers (see fpga_afu_top.v).
module fpga_afu_engine #(
	parameter [2:0] KERNELS = 3'b111
) (
	input  wire        clk,
	input  wire        rst,
	// configuration and doorbell, from the register block
	input  wire        ring_en,
	input  wire [3:0]  ring_log2,
	input  wire [63:0] sq_base,
	input  wire [63:0] cq_base,
	input  wire [31:0] sq_tail,
	// scalar job
	input  wire        start,
	input  wire [15:0] s_fn,
	input  wire [31:0] s_in_len,
	input  wire [63:0] s_arg0,
	input  wire [63:0] s_arg1,
	input  wire [63:0] s_in_addr,
	output reg  [63:0] s_result,
	output reg  [7:0]  s_status,
	output reg         s_done,
	// state
	output reg  [31:0] sq_head,
	output reg  [31:0] cq_tail,
	output reg  [7:0]  err_code,
	output wire        busy,
	output reg         ev_cq,
	output reg         ev_scalar,
	output reg         ev_err,
	// memory port
	output reg         mem_req,
	output reg         mem_we,
	output reg  [63:0] mem_addr,
	output reg  [63:0] mem_wdata,
	input  wire        mem_ack,
	input  wire        mem_err,
	input  wire [63:0] mem_rdata
);
	localparam [2:0] S_IDLE = 3'd0, S_FETCH = 3'd1, S_CRC = 3'd2,
			 S_CPL0 = 3'd3, S_CPL1 = 3'd4, S_ERR = 3'd5;
	localparam [3:0] P_NONE = 4'd0, P_CFG = 4'd1, P_FACT = 4'd2,
			 P_FIB = 4'd3, P_CRCDONE = 4'd4, P_REJ = 4'd5,
			 P_DISPATCH = 4'd6, P_SCALAR = 4'd7, P_FETCH = 4'd8,
			 P_CRCRD = 4'd9;
	localparam [15:0] FN_FACTORIAL = 16'd2, FN_FIBONACCI = 16'd3,
			  FN_CRC32C = 16'd4;
	localparam [7:0] JOB_OK = 8'd0, JOB_BAD_FN = 8'd1, JOB_BAD_ARG = 8'd2;
	localparam [7:0] ERR_SQ_READ = 8'd1, ERR_PAYLOAD = 8'd2,
			 ERR_CQ_WRITE = 8'd3, ERR_RING_CFG = 8'd4;

	reg [2:0]  state;
	reg [2:0]  fetch_k;
	reg        s_pending;

	// the held descriptor
	reg        h_valid;
	reg        h_scalar;
	reg [15:0] h_fn;
	reg [15:0] h_flags;
	reg [31:0] h_tag;
	reg [63:0] h_arg0;
	reg [63:0] h_arg1;
	reg [63:0] h_in_addr;
	reg [31:0] h_in_len;

	// per-kernel job identity
	reg [31:0] fact_tag, fib_tag, crc_tag, rej_tag;
	reg        fact_scalar, fib_scalar, crc_scalar, rej_scalar;
	reg        rej_valid;
	reg [7:0]  rej_status;
	reg        crc_active;
	reg        crc_done;
	reg [63:0] crc_addr;
	reg [31:0] crc_rem;

	// the completion being written
	reg [63:0] c_result;
	reg [31:0] c_tag;
	reg [7:0]  c_status;

	wire        fact_busy, fact_done, fib_busy, fib_done;
	wire [63:0] fact_result, fib_result;
	wire [31:0] crc_value;

	wire [31:0] ring_mask = (32'd1 << ring_log2) - 32'd1;
	wire [63:0] sq_slot = {26'd0, sq_head & ring_mask, 6'd0};
	wire [63:0] cq_slot = {28'd0, cq_tail & ring_mask, 4'd0};
	wire        cq_phase = ~cq_tail[{1'b0, ring_log2}];
	wire        ring_cfg_bad = sq_base[5:0] != 6'd0 || cq_base[3:0] != 4'd0;

	// held descriptor checks
	wire h_is_fact = KERNELS[0] && h_fn == FN_FACTORIAL;
	wire h_is_fib = KERNELS[1] && h_fn == FN_FIBONACCI;
	wire h_is_crc = KERNELS[2] && h_fn == FN_CRC32C;
	wire h_bad_fn = !(h_is_fact || h_is_fib || h_is_crc);
	wire h_bad_arg = h_flags != 16'd0 ||
			 (h_is_fact && (h_arg0 > 64'd65 || h_arg1 == 64'd0)) ||
			 (h_is_fib && (h_arg0 > 64'd93 || h_arg1 == 64'd0));
	wire h_reject = h_bad_fn || h_bad_arg;
	wire fact_free = !fact_busy && !fact_done;
	wire fib_free = !fib_busy && !fib_done;
	wire crc_free = !crc_active;
	wire can_dispatch = h_valid &&
		(h_reject ? !rej_valid :
		 h_is_fact ? fact_free : h_is_fib ? fib_free : crc_free);

	// what to do next when idle, highest priority first
	reg [3:0] pick;
	always @(*) begin
		if (ring_en && ring_cfg_bad)
			pick = P_CFG;
		else if (fact_done)
			pick = P_FACT;
		else if (fib_done)
			pick = P_FIB;
		else if (crc_done)
			pick = P_CRCDONE;
		else if (rej_valid)
			pick = P_REJ;
		else if (can_dispatch)
			pick = P_DISPATCH;
		else if (!h_valid && s_pending)
			pick = P_SCALAR;
		else if (!h_valid && ring_en && sq_head != sq_tail)
			pick = P_FETCH;
		else if (crc_active && crc_rem != 32'd0)
			pick = P_CRCRD;
		else
			pick = P_NONE;
	end

	wire idle_pick = state == S_IDLE;
	wire go_dispatch = idle_pick && pick == P_DISPATCH && !h_reject;
	wire fact_start = go_dispatch && h_is_fact;
	wire fib_start = go_dispatch && h_is_fib;
	wire crc_init = go_dispatch && h_is_crc;
	wire fact_clear = idle_pick && pick == P_FACT;
	wire fib_clear = idle_pick && pick == P_FIB;

	// payload word: lanes from the address offset, at most crc_rem bytes
	wire [3:0]  crc_avail = 4'd8 - {1'b0, crc_addr[2:0]};
	wire [3:0]  crc_take = crc_rem < {28'd0, crc_avail} ?
			       crc_rem[3:0] : crc_avail;
	wire [7:0]  crc_be = (8'hFF >> (4'd8 - crc_take)) << crc_addr[2:0];
	wire        crc_valid = state == S_CRC && mem_ack && !mem_err;

	fpga_k_factorial u_fact (
		.clk(clk), .rst(rst), .start(fact_start), .n(h_arg0[6:0]),
		.reps(h_arg1), .clear(fact_clear), .busy(fact_busy),
		.done(fact_done), .result(fact_result));
	fpga_k_fibonacci u_fib (
		.clk(clk), .rst(rst), .start(fib_start), .n(h_arg0[6:0]),
		.reps(h_arg1), .clear(fib_clear), .busy(fib_busy),
		.done(fib_done), .result(fib_result));
	fpga_k_crc32c u_crc (
		.clk(clk), .rst(rst), .init(crc_init), .valid(crc_valid),
		.data(mem_rdata), .be(crc_be), .crc(crc_value));

	// memory requests, a function of the state only
	always @(*) begin
		mem_req = 1'b0;
		mem_we = 1'b0;
		mem_addr = 64'd0;
		mem_wdata = 64'd0;
		case (state)
		S_FETCH: begin
			mem_req = 1'b1;
			mem_addr = sq_base + sq_slot + {58'd0, fetch_k, 3'd0};
		end
		S_CRC: begin
			mem_req = 1'b1;
			mem_addr = {crc_addr[63:3], 3'd0};
		end
		S_CPL0: begin
			mem_req = 1'b1;
			mem_we = 1'b1;
			mem_addr = cq_base + cq_slot;
			mem_wdata = c_result;
		end
		S_CPL1: begin
			mem_req = 1'b1;
			mem_we = 1'b1;
			mem_addr = cq_base + cq_slot + 64'd8;
			mem_wdata = {cq_phase, 15'd0, 8'd0, c_status, c_tag};
		end
		default: ;
		endcase
	end

	assign busy = state != S_IDLE || h_valid || s_pending ||
		      !fact_free || !fib_free || crc_active || rej_valid ||
		      (ring_en && (sq_head != sq_tail || ring_cfg_bad));

	// Finish a job: scalar results go to registers, ring jobs to the CQ.
	task automatic complete(input [63:0] res, input [31:0] tag,
				input [7:0] st, input scalar);
		begin
			if (scalar) begin
				s_result <= res;
				s_status <= st;
				s_done <= 1'b1;
				ev_scalar <= 1'b1;
			end else begin
				c_result <= res;
				c_tag <= tag;
				c_status <= st;
				state <= S_CPL0;
			end
		end
	endtask

	task automatic dispatch;
		begin
			h_valid <= 1'b0;
			if (h_reject) begin
				rej_valid <= 1'b1;
				rej_tag <= h_tag;
				rej_scalar <= h_scalar;
				rej_status <= h_bad_fn ? JOB_BAD_FN : JOB_BAD_ARG;
			end else if (h_is_fact) begin
				fact_tag <= h_tag;
				fact_scalar <= h_scalar;
			end else if (h_is_fib) begin
				fib_tag <= h_tag;
				fib_scalar <= h_scalar;
			end else begin
				crc_tag <= h_tag;
				crc_scalar <= h_scalar;
				crc_active <= 1'b1;
				crc_addr <= h_in_addr;
				crc_rem <= h_in_len;
				crc_done <= h_in_len == 32'd0;
			end
		end
	endtask

	task automatic fetch_word(input [63:0] w);
		begin
			case (fetch_k)
			3'd0: begin
				h_fn <= w[15:0];
				h_flags <= w[31:16];
				h_tag <= w[63:32];
			end
			3'd1: h_arg0 <= w;
			3'd2: h_arg1 <= w;
			3'd3: h_in_addr <= w;
			default: h_in_len <= w[31:0];
			endcase
		end
	endtask

	always @(posedge clk) begin
		if (rst) begin
			state <= S_IDLE;
			fetch_k <= 3'd0;
			h_valid <= 1'b0;
			h_scalar <= 1'b0;
			h_fn <= 16'd0;
			h_flags <= 16'd0;
			h_tag <= 32'd0;
			h_arg0 <= 64'd0;
			h_arg1 <= 64'd0;
			h_in_addr <= 64'd0;
			h_in_len <= 32'd0;
			fact_tag <= 32'd0;
			fib_tag <= 32'd0;
			crc_tag <= 32'd0;
			rej_tag <= 32'd0;
			fact_scalar <= 1'b0;
			fib_scalar <= 1'b0;
			crc_scalar <= 1'b0;
			rej_scalar <= 1'b0;
			rej_valid <= 1'b0;
			rej_status <= 8'd0;
			crc_active <= 1'b0;
			crc_done <= 1'b0;
			crc_addr <= 64'd0;
			crc_rem <= 32'd0;
			c_result <= 64'd0;
			c_tag <= 32'd0;
			c_status <= 8'd0;
			s_pending <= 1'b0;
			s_result <= 64'd0;
			s_status <= 8'd0;
			s_done <= 1'b0;
			sq_head <= 32'd0;
			cq_tail <= 32'd0;
			err_code <= 8'd0;
			ev_cq <= 1'b0;
			ev_scalar <= 1'b0;
			ev_err <= 1'b0;
		end else begin
			ev_cq <= 1'b0;
			ev_scalar <= 1'b0;
			ev_err <= 1'b0;
			if (start) begin
				s_pending <= 1'b1;
				s_done <= 1'b0;
			end
			case (state)
			S_IDLE:
				case (pick)
				P_CFG: begin
					err_code <= ERR_RING_CFG;
					state <= S_ERR;
					ev_err <= 1'b1;
				end
				P_FACT:
					complete(fact_result, fact_tag, JOB_OK,
						 fact_scalar);
				P_FIB:
					complete(fib_result, fib_tag, JOB_OK,
						 fib_scalar);
				P_CRCDONE: begin
					crc_done <= 1'b0;
					crc_active <= 1'b0;
					complete({32'd0, crc_value}, crc_tag,
						 JOB_OK, crc_scalar);
				end
				P_REJ: begin
					rej_valid <= 1'b0;
					complete(64'd0, rej_tag, rej_status,
						 rej_scalar);
				end
				P_DISPATCH:
					dispatch();
				P_SCALAR: begin
					s_pending <= 1'b0;
					h_valid <= 1'b1;
					h_scalar <= 1'b1;
					h_fn <= s_fn;
					h_flags <= 16'd0;
					h_tag <= 32'd0;
					h_arg0 <= s_arg0;
					h_arg1 <= s_arg1;
					h_in_addr <= s_in_addr;
					h_in_len <= s_in_len;
				end
				P_FETCH: begin
					fetch_k <= 3'd0;
					state <= S_FETCH;
				end
				P_CRCRD:
					state <= S_CRC;
				default: ;
				endcase
			S_FETCH:
				if (mem_ack && mem_err) begin
					err_code <= ERR_SQ_READ;
					state <= S_ERR;
					ev_err <= 1'b1;
				end else if (mem_ack) begin
					fetch_word(mem_rdata);
					fetch_k <= fetch_k + 3'd1;
					if (fetch_k == 3'd4) begin
						h_valid <= 1'b1;
						h_scalar <= 1'b0;
						sq_head <= sq_head + 32'd1;
						state <= S_IDLE;
					end
				end
			S_CRC:
				if (mem_ack && mem_err) begin
					err_code <= ERR_PAYLOAD;
					state <= S_ERR;
					ev_err <= 1'b1;
				end else if (mem_ack) begin
					crc_addr <= crc_addr + {60'd0, crc_take};
					crc_rem <= crc_rem - {28'd0, crc_take};
					crc_done <= crc_rem == {28'd0, crc_take};
					state <= S_IDLE;
				end
			S_CPL0:
				if (mem_ack && mem_err) begin
					err_code <= ERR_CQ_WRITE;
					state <= S_ERR;
					ev_err <= 1'b1;
				end else if (mem_ack) begin
					state <= S_CPL1;
				end
			S_CPL1:
				if (mem_ack && mem_err) begin
					err_code <= ERR_CQ_WRITE;
					state <= S_ERR;
					ev_err <= 1'b1;
				end else if (mem_ack) begin
					cq_tail <= cq_tail + 32'd1;
					ev_cq <= 1'b1;
					state <= S_IDLE;
				end
			default: ;
			endcase
		end
	end
endmodule
