// SPDX-License-Identifier: BSD-3-Clause
// Kernel: n! in wrapping 64-bit arithmetic, recomputed reps times.
// One multiply per cycle. start is taken only when !busy && !done; done
// holds the result until clear. reps must be >= 1 (the engine checks).
module fpga_k_factorial (
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
	reg [63:0] acc;
	reg [63:0] reps_left;

	always @(posedge clk) begin
		if (rst) begin
			busy <= 1'b0;
			done <= 1'b0;
			result <= 64'd0;
			i <= 7'd0;
			n_q <= 7'd0;
			acc <= 64'd1;
			reps_left <= 64'd0;
		end else if (start && !busy && !done) begin
			busy <= 1'b1;
			n_q <= n;
			i <= n;
			acc <= 64'd1;
			reps_left <= reps;
		end else if (busy) begin
			if (i > 7'd1) begin
				acc <= acc * {57'd0, i};
				i <= i - 7'd1;
			end else if (reps_left <= 64'd1) begin
				busy <= 1'b0;
				done <= 1'b1;
				result <= acc;
			end else begin
				reps_left <= reps_left - 64'd1;
				acc <= 64'd1;
				i <= n_q;
			end
		end else if (clear) begin
			done <= 1'b0;
		end
	end
endmodule
