#!/usr/bin/python3
"""An MJPEG HTTP server as phone IP-camera apps run one: GET /video answers
multipart/x-mixed-replace with one JPEG part per frame (the JPEG files given, in a loop,
15 fps).  With --stall-after N it stops sending after N frames but keeps the connection
open (a phone gone to sleep).  Prints "ready" when it listens; exits after SECONDS.
usage: mjpeg-server.py PORT SECONDS [--stall-after N] JPEG..."""
import http.server
import socketserver
import sys
import threading
import time

args = sys.argv[1:]
port, secs = int(args[0]), float(args[1])
args = args[2:]
stall = None
if args and args[0] == "--stall-after":
    stall, args = int(args[1]), args[2:]
frames = [open(f, "rb").read() for f in args]


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        if self.path != "/video":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        n = 0
        try:
            while True:
                if stall is not None and n >= stall:
                    time.sleep(secs)   # connection open, nothing sent
                    return
                jpg = frames[n % len(frames)]
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n"
                                 b"Content-Length: %d\r\n\r\n" % len(jpg) + jpg + b"\r\n")
                self.wfile.flush()
                n += 1
                time.sleep(1 / 15)
        except (BrokenPipeError, ConnectionResetError):
            pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", port), Handler)
print("ready", flush=True)
threading.Timer(secs, srv.shutdown).start()
srv.serve_forever()
