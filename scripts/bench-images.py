# Pillow side of scripts/bench-images.ts and bench-preview.ts: runs one case N times on bytes in memory and prints
# the median ms, then the CPU ms per run (process time, on its own line).
import io, statistics, sys, time
from PIL import Image, ImageOps

case, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(path, "rb").read() if case != "p" else b""

def a():
    im = Image.open(io.BytesIO(data)); im.thumbnail((512, 512), Image.LANCZOS)
    im.save(io.BytesIO(), "WEBP", quality=80)

def b():
    im = Image.open(io.BytesIO(data)).convert("RGBA")
    scale = max(256 / im.width, 256 / im.height)
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)
    left, top = (im.width - 256) // 2, (im.height - 256) // 2
    im.crop((left, top, left + 256, top + 256)).save(io.BytesIO(), "PNG")

def c():
    Image.open(io.BytesIO(data)).save(io.BytesIO(), "WEBP", quality=90)

def d():
    im = Image.open(io.BytesIO(data))
    im.transpose(Image.ROTATE_270).transpose(Image.FLIP_LEFT_RIGHT).save(io.BytesIO(), "PNG")

def v():
    # The view image://{id}/view?format=webp&width=512: width 512 (aspect kept), WebP q90.
    im = Image.open(io.BytesIO(data))
    im = im.resize((512, round(im.height * 512 / im.width)), Image.LANCZOS)
    im.save(io.BytesIO(), "WEBP", quality=90)

def e():
    im = Image.open(io.BytesIO(data)); im.thumbnail((128, 128), Image.LANCZOS)
    im.save(io.BytesIO(), "WEBP", quality=80)

def preview_many():
    # Parallel anchor: this process makes `runs` 512 px WebP previews of the four photos in turn.
    datas = [open(p, "rb").read() for p in path.split(",")]
    t = time.perf_counter()
    for i in range(runs):
        im = Image.open(io.BytesIO(datas[i % len(datas)])); im.thumbnail((512, 512), Image.LANCZOS)
        im.save(io.BytesIO(), "WEBP", quality=80)
    print((time.perf_counter() - t) * 1000)
    sys.exit(0)

if case == "p":
    preview_many()

fn = {"a": a, "b": b, "c": c, "d": d, "e": e, "v": v}[case]
fn()
samples = []
cpu_start = time.process_time()
for _ in range(runs):
    t = time.perf_counter(); fn(); samples.append((time.perf_counter() - t) * 1000)
cpu_ms = (time.process_time() - cpu_start) * 1000 / runs
print(statistics.median(samples))
print(cpu_ms)
