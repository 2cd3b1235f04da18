-- Every label with its kind and code (create_labels.sql), for the stream engine.
select kind, code, label
from labels
order by kind, code
