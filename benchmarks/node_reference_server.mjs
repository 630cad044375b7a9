// What the original Node service did with a frame: write it to a file, then acknowledge.
// A yardstick for ingest speed. usage: node node_reference_server.mjs PORT DIR  (prints "listening PORT")
import { Server } from "socket.io";
import { writeFile, mkdir } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";

const [port, dir] = process.argv.slice(2);
await mkdir(dir, { recursive: true });
const http = createServer();
const io = new Server(http, { maxHttpBufferSize: 64 * 1024 * 1024 });
io.on("connection", (socket) => {
  socket.on("start_session", (spec, ack) => ack({ ok: true, session_id: "reference", window: 8 }));
  socket.on("audio_chunk", (chunk, ack) => ack({ ok: true, received_bytes: chunk.offset + chunk.data.length }));
  socket.on("frame", async (frame, ack) => {
    await writeFile(join(dir, `${String(frame.index).padStart(8, "0")}.frame`), frame.data);
    ack({ ok: true, index: frame.index });
  });
});
http.listen(Number(port), "127.0.0.1", () => console.log(`listening ${http.address().port}`));
