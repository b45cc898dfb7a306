-- "Edit back view" asks what should change: the instruction (optional) is kept with the view's round, so
-- a retried or resumed view job draws the same edit.
alter table design_views add column instruction text check (length(instruction) <= 4000);
