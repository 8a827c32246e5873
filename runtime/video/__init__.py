"""Video in and out: sources (files, cameras, streams), sinks (files, streams, the MJPEG
server, windows, masks), and the decoders and encoders each machine has."""
