"""Time and peak memory for one very large document.

    python benchmarks/large_file.py oneline   # ~51 MB on a single line
    python benchmarks/large_file.py lines     # ~47 MB in 400,000 short lines (worst case for rules)
    python benchmarks/large_file.py gbk       # the same lines in GBK
"""

import time, resource, sys
from textclean import clean_bytes
kind = sys.argv[1]
unit = "这是很长的一行内容，没有换行。意识形态工作是党的一项极端重要的工作。"
if kind == "oneline":
    big = (unit * 500_000).encode()
elif kind == "lines":
    big = "\n".join(f"{unit}第{i}段。" for i in range(400_000)).encode()
elif kind == "gbk":
    big = "\n".join(f"{unit}第{i}段。" for i in range(400_000)).encode("gbk")
print(kind, round(len(big)/1e6,1), "MB")
s = time.time(); d = clean_bytes(big, max_bytes=200*2**20)
print(round(time.time()-s,2), "s", len(d.text), d.skipped, d.encoding, round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024), "MB peak rss")
