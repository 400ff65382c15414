// SPDX-License-Identifier: BSD-3-Clause
// Kernel: fib(n) (fib(0) = 0, fib(1) = 1), recomputed reps times.
// One addition per cycle; same handshake as fpga_k_factorial.
module fpga_k_fibonacci (
	input  wire        clk,
	input  wire        rst,
	input  wire        start,
	input  wire [6:0]  n,
	input  wire [63:0] reps,
	input  wire        clear,
	output reg         busy,
	output reg         done,
	output reg  [63:0] result
);
	reg [6:0]  i;
	reg [6:0]  n_q;
	reg [63:0] a;
	reg [63:0] b;
	reg [63:0] reps_left;

	always @(posedge clk) begin
		if (rst) begin
			busy <= 1'b0;
			done <= 1'b0;
			result <= 64'd0;
			i <= 7'd0;
			n_q <= 7'd0;
			a <= 64'd0;
			b <= 64'd1;
			reps_left <= 64'd0;
		end else if (start && !busy && !done) begin
			busy <= 1'b1;
			n_q <= n;
			i <= n;
			a <= 64'd0;
			b <= 64'd1;
			reps_left <= reps;
		end else if (busy) begin
			if (i != 7'd0) begin
				a <= b;
				b <= a + b;
				i <= i - 7'd1;
			end else if (reps_left <= 64'd1) begin
				busy <= 1'b0;
				done <= 1'b1;
				result <= a;
			end else begin
				reps_left <= reps_left - 64'd1;
				a <= 64'd0;
				b <= 64'd1;
				i <= n_q;
			end
		end else if (clear) begin
			done <= 1'b0;
		end
	end
endmodule
