"""Materials and evidence (申请材料、证据): uploaded files of a case.

- ``storage``: where the bytes live (a directory by default; an object store can implement the same protocol);
- ``sniff``: what a file is, judged by its content, never by its name or the browser's word;
- ``names``: the file name a person gave, checked before it is shown (it never names anything on disk);
- ``checks``: one upload's checks together (size, name, type, extension against content);
- ``materials``: a case's material list, from the catalog version its power had when the case was registered;
- ``lock``: decision steps need evidence, and after a decision the evidence is locked;
- ``records``: adding a file to a case and reading one back, each with its audit event;
- ``answers``: yes/no fields of a step form that a file answers (``x-material``).
"""
