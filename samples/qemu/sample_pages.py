"""Writes the recognizable pages of ksmscope's QEMU samples into a folder.

pattern.bin: 256 pages, page n is "KSMSCOPE SAMPLE PATTERN PAGE nnnn\n" repeated;
unique.bin: the same with UNIQUE; random.bin: 256 pseudo-random pages from a fixed seed.
"""
import random
import sys

folder = sys.argv[1]
for name, word in (("pattern", "PATTERN"), ("unique", "UNIQUE")):
    data = bytearray()
    for index in range(256):
        line = ("KSMSCOPE SAMPLE %s PAGE %04d\n" % (word, index)).encode()
        data += (line * (4096 // len(line) + 1))[:4096]
    with open(f"{folder}/{name}.bin", "wb") as out:
        out.write(data)
generator = random.Random(20261128)
with open(f"{folder}/random.bin", "wb") as out:
    out.write(bytes(generator.getrandbits(8) for _ in range(256 * 4096)))
