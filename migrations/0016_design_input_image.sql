-- A design started from an image (a sketch or photo): the image store key of its re-encoded copy. It is
-- sent with the prompt for the first front view; later front views and the other views start from the
-- front view before them, as for any design.
alter table designs add column input_image_key text;
