# python3: threads, subprocess, multiprocessing, files
python3 - <<'PY'
import threading, subprocess, multiprocessing, os, queue
q = queue.Queue()
ts = [threading.Thread(target=lambda i=i: q.put(i * i)) for i in range(16)]
[t.start() for t in ts]; [t.join() for t in ts]
print(sorted(q.get() for _ in range(16)))
print(subprocess.run(["sh", "-c", "echo from $0; exit 4"], capture_output=True, text=True))
def sq(x): return x * x
with multiprocessing.Pool(2) as p: print(p.map(sq, range(8)))
with open("py.txt", "w") as f: f.write("written by python\n" * 100)
print(os.path.getsize("py.txt"), open("py.txt").read().count("\n"))
os.unlink("py.txt")
PY
