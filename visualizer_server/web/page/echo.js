// The original service's echo, for developers: its own Socket.IO connection, separate from the
// recorder's, so that a look at it never disturbs a render.
const $ = (id) => document.getElementById(id);

function say(text, kind = "") {
  const line = document.createElement("div");
  line.textContent = text;
  if (kind) line.className = kind;
  $("log").appendChild(line);
}

/** Connect, send "Allo?" on every connect, show what comes back; returns the socket. */
export function startEcho(token) {
  const socket = io({ transports: ["websocket"], auth: token ? { token } : {} });
  const send = () => { socket.emit("test", "Allo?"); say("SENT"); };
  socket.on("connect", () => { say("CONNECTED"); send(); });
  socket.on("disconnect", (reason) => say(`DISCONNECTED (${reason})`));
  socket.on("connect_error", (error) => say(`ERROR: ${error.message}`, "error"));
  socket.on("test", (message) => say(`RESPONSE: ${message}`));
  $("send-test").addEventListener("click", send);
  return socket;
}
