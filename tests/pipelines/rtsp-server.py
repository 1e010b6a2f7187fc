#!/usr/bin/python3
"""A real RTSP server for the pipeline tests: GstRtspServer on 127.0.0.1:PORT serving a
live test pattern as /h264, /mjpeg and /vp8 (WIDTHxHEIGHT, 15 fps).  Prints "ready" when
it listens; exits after SECONDS (a bound, so that a test that dies leaves nothing).
usage: rtsp-server.py PORT [SECONDS] [WIDTHxHEIGHT]"""
import sys
import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import Gst, GstRtspServer, GLib

port = sys.argv[1]
secs = int(sys.argv[2]) if len(sys.argv) > 2 else 120
w, h = (sys.argv[3] if len(sys.argv) > 3 else "160x120").split("x")
Gst.init(None)
src = (f"videotestsrc is-live=true pattern=ball ! video/x-raw,width={w},height={h},"
       "framerate=15/1 ! videoconvert ! video/x-raw,format=I420 ! ")
enc = {
    "h264": "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=15 ! rtph264pay name=pay0 pt=96",
    "mjpeg": "jpegenc ! rtpjpegpay name=pay0 pt=26",
    "vp8": "vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay name=pay0 pt=96",
}
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
mounts = server.get_mount_points()
for name, e in enc.items():
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch("( " + src + e + " )")
    f.set_shared(True)
    mounts.add_factory("/" + name, f)
if server.attach(None) == 0:
    sys.exit("cannot listen on 127.0.0.1:" + port)
print("ready", flush=True)
loop = GLib.MainLoop()
GLib.timeout_add_seconds(secs, loop.quit)
loop.run()
