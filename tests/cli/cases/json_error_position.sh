# exit: 3
# stderr: bad.json:2:8: invalid JSON
printf '{"a": 1,\n  "b": ]\n}' > bad.json
"$CNILUA" -e "cni.read_json(\"bad.json\")"
