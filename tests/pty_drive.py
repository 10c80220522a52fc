#!/usr/bin/env python3
"""Runs a command in a real pseudo-terminal, answering its prompts.

usage: pty_drive.py EXPECT SEND [EXPECT SEND ...] -- COMMAND [ARGS ...]

For each pair, waits (up to 60 s) until EXPECT appears in the output, then types SEND
(backslash escapes like \\r are honoured). Prints everything the command wrote and exits
with its exit code (128 + signal if it was killed).
"""
import fcntl
import os
import pty
import struct
import termios
import select
import sys
import time


def main():
    split = sys.argv.index("--")
    pairs = sys.argv[1:split]
    command = sys.argv[split + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        # A terminal the size of an ordinary window (40 rows, 160 columns), set before the
        # command starts so it never sees a 0x0 terminal.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
        os.environ["TERM"] = "xterm"
        os.execvp(command[0], command)
    output = b""

    def read(timeout):
        nonlocal output
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        output += chunk
        return True

    for expect, send in zip(pairs[0::2], pairs[1::2]):
        deadline = time.time() + 60
        while expect.encode() not in output:
            if time.time() > deadline or not read(0.2):
                sys.stdout.write(output.decode(errors="replace"))
                sys.stderr.write(f"pty_drive: never saw {expect!r}\n")
                os.kill(pid, 9)
                sys.exit(99)
        os.write(fd, send.encode().decode("unicode_escape").encode())
    while read(60):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(output.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
