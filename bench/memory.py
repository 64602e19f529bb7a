"""Peak memory of this process, measured over a stretch of work (Linux /proc)."""


def high_water_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: Linux carries that over from
    the parent through fork and exec, and it cannot be reset."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def reset_high_water() -> None:
    """Start the peak afresh from the current resident size (clear_refs 5, Linux 4.0+)."""
    with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
        refs.write("5")


def private_mb() -> float:
    """This process's own pages (Private_Clean + Private_Dirty of /proc/self/smaps_rollup): for a
    forked child, what it copied from its parent or allocated, not the pages they still share."""
    total = 0
    with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total / 1024
