"""Every notification name of the application, and nothing else.

Requests are imperative (``START_ENCODER``), facts past tense (``ENCODER_FINISHED``).
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
UPLOAD_COMPLETED = "video/uploaded"
SESSION_FAILED = "session/failed"

# Facts for the record (metrics).
REQUEST_REFUSED = "client/request-refused"

# A session's life: every change of state is announced once, and the work follows from it:
# entering a state requests the design card's action for it (SuperviseSessionCommand decides which).
SESSION_CHANGED = "session/changed"
BUILD_VIDEO = "video/build"  # receiving or encoding: start the encoder, end its input once every frame is in
UPLOAD_VIDEO = "video/upload"  # uploading: put the video on YouTube; done after an upload: watch its processing
CLEAN_UP_SESSION = "session/clean-up"  # a final state: stop the work, remove what is no longer needed
# Something broke while working for a session (a background task, a fact's handler): fail it.
FAIL_SESSION = "session/fail"

# Housekeeping: expiry, retention, orphaned folders; sent by the housekeeping timer and at startup.
SWEEP = "app/sweep"

# Requests to the encoder mediator, and the facts it reports back.
START_ENCODER = "encoder/start"
END_ENCODER_INPUT = "encoder/end-input"
WAIT_FOR_ENCODER = "encoder/wait"  # back-pressure: the caller's greenlet waits for its own session's encoder
STOP_ENCODER = "encoder/stop"
CHECK_AUDIO = "audio/check"  # a quick decode of a session's audio before its end is accepted; fails the body's reply
FRAME_STORED = "frame/stored"  # a fact: the encoder takes the frame from it, and metrics count it
AUDIO_STORED = "audio/stored"  # a fact: every byte of the audio is in; the encoder prepares it for the finish
SEGMENT_ENCODED = "encoder/segment-encoded"  # a fact: keeping it makes the segment durable and frees its frames
ENCODER_PROGRESSED = "encoder/progressed"
ENCODER_FINISHED = "encoder/finished"

# Requests to the upload mediator, and the facts it reports back.
START_UPLOAD = "upload/start"
STOP_UPLOAD = "upload/stop"
UPLOAD_PROGRESSED = "upload/progressed"
UPLOAD_FINISHED = "upload/finished"

# YouTube's processing of an uploaded video: the request to the processing mediator, what it reports,
# and the fact the socket mediator emits as youtube_processed.
WATCH_PROCESSING = "processing/watch"
STOP_WATCHING_PROCESSING = "processing/stop"
PROCESSING_FINISHED = "processing/finished"
YOUTUBE_PROCESSED = "video/processed"

# A cluster (--redis-url): a node asks another to let a session go, and hears that it must.
ASK_TO_LET_GO = "cluster/ask-to-let-go"
LET_GO_OF_SESSION = "cluster/let-go"  # this node must stop its work on a session another node took
# Take in the sessions of the work folder no node holds (startup; in a cluster, every sweep).
ADOPT_SESSIONS = "cluster/adopt-sessions"
