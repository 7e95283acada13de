// The benchmark suite. Placeholder until the first benchmark lands.
print("yidan-bench: no benchmarks yet")
