"""Dev-only check that TensorBoard reads the event files Mirage writes.

Reads Tests/MirageDataTests/Fixtures/mirage.tfevents (written by Mirage's TensorBoardEventFile and
kept byte-stable by TensorBoardEventFileTests.writesWhatTensorBoardReads) with TensorBoard's own
record loader (which checks every CRC) and event accumulator, and with a run folder given on the
command line, prints the tags and values that TensorBoard sees there.
Usage: python3 scripts/check_tensorboard_events.py [RUN_FOLDER]   (needs tensorboard)
"""
import pathlib
import shutil
import sys
import tempfile

from tensorboard.backend.event_processing import event_file_loader
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.compat.proto import event_pb2

fixture = pathlib.Path(__file__).resolve().parent.parent / "Tests/MirageDataTests/Fixtures/mirage.tfevents"
# The raw loader checks each record's length and CRCs; the events are parsed as they were written
# (the non-raw loader would migrate simple_value scalars into tensors).
events = [event_pb2.Event.FromString(r) for r in event_file_loader.RawEventFileLoader(str(fixture)).Load()]
assert len(events) == 4, len(events)
assert events[0].file_version == "brain.Event:2" and events[0].wall_time == 1_700_000_000
scalar, image, text = events[1].summary.value[0], events[2].summary.value[0], events[3].summary.value[0]
assert events[1].step == 100 and scalar.tag == "loss" and scalar.simple_value == 0.25
assert image.tag == "samples" and (image.image.width, image.image.height, image.image.colorspace) == (2, 1, 1)
assert image.image.encoded_image_string.startswith(b"\x89PNG")
assert text.metadata.plugin_data.plugin_name == "text" and text.tensor.string_val[0].startswith(b"```json")
print("TensorBoard's loader reads Mirage's fixture:", [e.step for e in events], scalar.tag, image.tag, text.tag)

# The accumulator (what the dashboard uses) needs the events.out.tfevents.* name.
with tempfile.TemporaryDirectory() as d:
    shutil.copy(fixture, pathlib.Path(d) / "events.out.tfevents.1700000000.fixture")
    acc = EventAccumulator(d, size_guidance={"images": 0, "scalars": 0, "tensors": 0})
    acc.Reload()
    tags = acc.Tags()
    assert tags["scalars"] == ["loss"] and tags["images"] == ["samples"] and tags["tensors"] == ["config"], tags
    print("TensorBoard's accumulator sees:", {k: v for k, v in tags.items() if v})

if len(sys.argv) > 1:
    acc = EventAccumulator(sys.argv[1], size_guidance={"images": 0, "scalars": 0, "tensors": 0})
    acc.Reload()
    for tag in acc.Tags()["scalars"]:
        values = acc.Scalars(tag)
        print(f"{tag}: {len(values)} values, last step {values[-1].step} = {values[-1].value:.4g}")
    for tag in acc.Tags()["images"]:
        print(f"{tag}: {len(acc.Images(tag))} images")
    for tag in acc.Tags()["tensors"]:
        print(f"{tag}: text of {len(acc.Tensors(tag)[0].tensor_proto.string_val[0])} bytes")
