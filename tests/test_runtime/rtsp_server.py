"""A loopback RTSP server serving a real H.264 .mp4 as-is (gst-rtsp-server, no re-encoding).

Run with a Python that has GStreamer's introspection bindings (Debian: python3-gi,
gir1.2-gst-rtsp-server-1.0): ``python3 rtsp_server.py CLIP.mp4`` prints ``ready PORT`` once
``rtsp://127.0.0.1:PORT/clip`` can be opened, then serves until killed.
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402


def main(path):
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service("0")   # any free port; printed below
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch('( filesrc location="{}" ! qtdemux ! h264parse ! '
                       'rtph264pay name=pay0 pt=96 config-interval=1 )'.format(path))
    factory.set_shared(False)   # every client gets the clip from its first frame
    server.get_mount_points().add_factory("/clip", factory)
    server.attach(None)
    print("ready", server.get_bound_port(), flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main(sys.argv[1])
