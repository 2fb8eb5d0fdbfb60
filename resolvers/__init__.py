"""What each field does: checks input, reads and writes through graph/ and storage/, shapes the answer."""
