// SPDX-License-Identifier: BSD-3-Clause
// Kernel: standard CRC-32C (Castagnoli, reflected, init and final xor
// 0xFFFFFFFF) over a byte stream fed one 64-bit little-endian word per
// cycle; byte lane k of data is the byte at address word + k, and only the
// lanes set in be are taken, lowest first. crc is valid the cycle after
// the last word; init restarts it.
module fpga_k_crc32c (
	input  wire        clk,
	input  wire        rst,
	input  wire        init,
	input  wire        valid,
	input  wire [63:0] data,
	input  wire [7:0]  be,
	output wire [31:0] crc
);
	localparam [31:0] POLY = 32'h82F63B78;

	reg [31:0] state;

	function automatic [31:0] crc_byte(input [31:0] c, input [7:0] d);
		integer k;
		reg [31:0] x;
		begin
			x = c ^ {24'd0, d};
			for (k = 0; k < 8; k = k + 1)
				x = (x >> 1) ^ (POLY & {32{x[0]}});
			crc_byte = x;
		end
	endfunction

	function automatic [31:0] crc_word(input [31:0] c, input [63:0] d,
					   input [7:0] m);
		integer j;
		reg [31:0] x;
		begin
			x = c;
			for (j = 0; j < 8; j = j + 1)
				if (m[j])
					x = crc_byte(x, d[j * 8 +: 8]);
			crc_word = x;
		end
	endfunction

	always @(posedge clk) begin
		if (rst || init)
			state <= 32'hFFFFFFFF;
		else if (valid)
			state <= crc_word(state, data, be);
	end

	assign crc = ~state;
endmodule
