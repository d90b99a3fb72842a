#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""vexfs-gateway graceful shutdown, on the embedded backend (TAP).

A reply still being written when SIGTERM comes is finished and the process
exits 0 after a clean checkpoint; new connections are refused at once; a
new request on a kept-alive connection gets 503; a client that never reads
is cut off after --shutdown-timeout, and the exit is still 0.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GW = os.environ.get('VEXFS_GATEWAY', os.path.join(TOP, 'gateway', 'vexfs-gateway'))
FSCK = os.path.join(TOP, 'build', 'tools', 'fsck.vexfs')
DIM, NPOINTS = 512, 1000  # a ~8 MB reply: more than the socket buffers

n = 0
failed = False


def ok(cond, desc, diag=''):
    global n, failed
    n += 1
    print(('ok' if cond else 'not ok') + f' {n} - {desc}')
    if not cond:
        failed = True
        for line in str(diag).splitlines():
            print('# ' + line)
    sys.stdout.flush()
    return cond


def start(tmp, img, *extra):
    log = open(os.path.join(tmp, 'gw.log'), 'w+')
    p = subprocess.Popen([GW, '--backend', 'embedded', '--data', img,
                          '--data-size', '256M', '--port', '0', '--threads', '1',
                          *extra], stdout=log, stderr=subprocess.STDOUT)
    for _ in range(200):
        log.seek(0)
        m = re.search(r'listening on http://127\.0\.0\.1:(\d+)', log.read())
        if m:
            return p, log, int(m.group(1))
        if p.poll() is not None:
            break
        time.sleep(0.05)
    log.seek(0)
    raise RuntimeError('gateway did not start:\n' + log.read())


def http(port, method, path, body=None):
    s = socket.create_connection(('127.0.0.1', port))
    data = json.dumps(body).encode() if body is not None else b''
    s.sendall(f'{method} {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n'
              f'Content-Length: {len(data)}\r\nConnection: close\r\n\r\n'.encode() + data)
    resp = b''
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        resp += chunk
    s.close()
    head, _, rest = resp.partition(b'\r\n\r\n')
    return int(head.split()[1]), rest


def slow_client(port, body):
    """Send a request whose reply is big; read only its first bytes."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
    s.connect(('127.0.0.1', port))
    data = json.dumps(body).encode()
    s.sendall(b'POST /collections/c/points HTTP/1.1\r\nHost: x\r\n'
              b'Content-Type: application/json\r\n'
              + f'Content-Length: {len(data)}\r\n\r\n'.encode() + data)
    first = s.recv(512)
    return s, first


def read_reply(s, first):
    buf = first
    while b'\r\n\r\n' not in buf:
        buf += s.recv(4096)
    head, _, body = buf.partition(b'\r\n\r\n')
    m = re.search(rb'Content-Length: (\d+)', head, re.I)
    want = int(m.group(1))
    while len(body) < want:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        body += chunk
    return head, body, want


def fill(port):
    st, _ = http(port, 'PUT', '/collections/c',
                 {'vectors': {'size': DIM, 'distance': 'Dot'}})
    assert st == 200, st
    for b in range(0, NPOINTS, 250):
        pts = [{'id': i, 'vector': [((i * 7 + j) % 100) / 100.0 for j in range(DIM)]}
               for i in range(b, b + 250)]
        st, body = http(port, 'PUT', '/collections/c/points?wait=true', {'points': pts})
        assert st == 200, body


def main():
    print('TAP version 13')
    if not os.access(GW, os.X_OK):
        ok(False, 'gateway binary exists', GW)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, 'g.img')
        p, log, port = start(tmp, img, '--shutdown-timeout', '60')
        fill(port)
        req = {'ids': list(range(NPOINTS)), 'with_vector': True, 'with_payload': False}

        # A kept-alive connection, used once before the signal.
        ka = socket.create_connection(('127.0.0.1', port))
        ka.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
        ok(b' 200 ' in ka.recv(4096).split(b'\r\n')[0], 'kept-alive connection answered before SIGTERM')

        s, first = slow_client(port, req)
        ok(first.startswith(b'HTTP/1.1 200'), 'big reply has started before SIGTERM', first[:80])
        p.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        ok(p.poll() is None, 'process waits for the reply in flight')

        try:
            c = socket.create_connection(('127.0.0.1', port), timeout=2)
            c.close()
            refused = False
        except ConnectionRefusedError:
            refused = True
        ok(refused, 'a new connection after SIGTERM is refused')

        ka.sendall(b'GET /collections HTTP/1.1\r\nHost: x\r\n\r\n')
        resp = b''
        while True:
            chunk = ka.recv(4096)
            if not chunk:
                break
            resp += chunk
        ok(resp.startswith(b'HTTP/1.1 503') and b'shutting down' in resp,
           'a new request on a kept-alive connection after SIGTERM gets 503', resp[:200])
        ka.close()

        head, body, want = read_reply(s, first)
        s.close()
        ok(len(body) == want, f'the reply in flight arrives whole ({want} bytes)',
           f'got {len(body)} of {want}')
        try:
            pts = json.loads(body)['result']
        except ValueError as e:
            pts = []
            ok(False, 'reply is JSON', e)
        ok(len(pts) == NPOINTS and all(len(x['vector']) == DIM for x in pts),
           'every point and vector is in it', f'{len(pts)} points')
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = 'timeout'
        log.seek(0)
        text = log.read()
        ok(rc == 0, 'process exits 0 after the reply', f'rc={rc}\n{text}')
        ok('embedded store closed cleanly' in text, 'backend checkpointed and closed', text)
        if os.access(FSCK, os.X_OK):
            r = subprocess.run([FSCK, img], capture_output=True, text=True)
            ok(r.returncode == 0 and 'clean' in r.stdout, 'fsck.vexfs: image clean after shutdown',
               r.stdout + r.stderr)

        # A client that never reads: cut off at the deadline, exit still 0.
        p, log, port = start(tmp, img, '--shutdown-timeout', '2')
        st, body = http(port, 'POST', '/collections/c/points/count', {})
        ok(st == 200 and json.loads(body)['result']['count'] == NPOINTS,
           'data is there after a restart', body[:200])
        s, first = slow_client(port, req)
        t0 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        try:
            rc = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = 'timeout'
        dt = time.monotonic() - t0
        s.close()
        ok(rc == 0 and 1.5 <= dt < 8,
           f'--shutdown-timeout 2 cuts off a stalled reader ({dt:.1f} s), exit 0',
           f'rc={rc} after {dt:.1f} s')
    print(f'1..{n}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
