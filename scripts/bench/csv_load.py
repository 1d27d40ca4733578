# Load a CSV with pandas (the issue-2 benchmark peer). usage: python3 csv_load.py FILE
import sys
import pandas as pd
d = pd.read_csv(sys.argv[1])
print(f"rows={len(d)} cols={d.shape[1]}")
