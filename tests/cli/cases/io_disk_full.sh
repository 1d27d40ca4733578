# exit: 3
# stderr: /dev/full: write failed: No space left on device
# A full disk (simulated by /dev/full): the write error is reported, exit 3.
"$CNILUA" -e 'cni.write_text("/dev/full", string.rep("x", 100000))'
