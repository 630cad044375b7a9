"""Every notification name of the application, and nothing else.

Requests are imperative (``BUILD_VIDEO``), facts past tense (``VIDEO_BUILT``).
Values are namespaced ``"<domain>/<event>"`` so a log line is never confused with
a Socket.IO event name.
"""

STARTUP = "app/startup"

# Requests that arrive from a client (the socket mediator sends them).
ECHO = "client/echo"
START_SESSION = "session/start"
RECEIVE_AUDIO = "audio/receive"
RECEIVE_FRAME = "frame/receive"
END_SESSION = "session/end"
CANCEL_SESSION = "session/cancel"
GET_SESSION_STATUS = "session/get-status"
RESUME_SESSION = "session/resume"
CLIENT_DISCONNECTED = "client/disconnected"

# Facts the socket mediator turns into emits.
ECHOED = "client/echoed"
SESSION_PROGRESSED = "session/progressed"
VIDEO_BUILT = "video/built"
SESSION_FAILED = "session/failed"

# Facts for the record (metrics).
FRAME_STORED = "frame/stored"
REQUEST_REFUSED = "client/request-refused"

# The pipeline.
BUILD_VIDEO = "video/build"
CLEANUP_SESSION = "session/cleanup"

# An encoder slot was given back (a video finished or failed, a session was cancelled or expired).
ENCODER_RELEASED = "encoder/released"
# The upload step: after VIDEO_BUILT, or when a restart finds an upload under way.
UPLOAD_VIDEO = "video/upload"
START_UPLOAD = "upload/start"
STOP_UPLOAD = "upload/stop"
UPLOAD_PROGRESSED = "upload/progressed"
UPLOAD_FINISHED = "upload/finished"
UPLOAD_COMPLETED = "video/uploaded"

# Housekeeping: expiry, retention; sent by the housekeeping mediator's timer and at startup.
SWEEP = "app/sweep"

# Requests to the encoder mediator, and the facts it reports back.
START_ENCODER = "encoder/start"
ENCODE_FRAME = "encoder/encode-frame"
FINISH_ENCODER = "encoder/finish"
STOP_ENCODER = "encoder/stop"
ENCODER_PROGRESSED = "encoder/progressed"
ENCODER_FINISHED = "encoder/finished"
