// Whether index v names one of n entries of a table addressed by w bits
// (n <= 2^w): the bits above w zero, and the low w bits below n unless n
// is 2^w, where that compare folds away. No compare of the whole index
// against a 32-bit constant: Yosys builds one as a carry chain in front of
// whatever the index enables. Included inside module bodies.
function automatic tg_index_ok(input [15:0] v, input integer w, input integer n);
    tg_index_ok = (v >> w) == 16'd0 && ((1 << w) == n || {16'd0, v & ((16'd1 << w) - 16'd1)} < n);
endfunction
