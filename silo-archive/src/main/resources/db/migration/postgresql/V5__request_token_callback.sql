-- Silo archive catalog, version 5: a client's requests found by their token (a write_to_hsm or read_from_hsm
-- sent again after its answer was lost gets the request it made the first time) and by their callback
-- (when a mover cannot reach a client, the client's other queued requests are cancelled too).
CREATE INDEX request_token ON request (token);
CREATE INDEX request_callback ON request (callback, state);
