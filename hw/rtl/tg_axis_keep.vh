// Bytes in a 64-bit AXI-Stream beat whose tkeep is contiguous from bit 0.
// Included inside module bodies.
function automatic [3:0] tg_keep_bytes(input [7:0] keep);
    integer b;
    begin
        tg_keep_bytes = 4'd0;
        for (b = 0; b < 8; b = b + 1) begin
            tg_keep_bytes = tg_keep_bytes + {3'd0, keep[b]};
        end
    end
endfunction
