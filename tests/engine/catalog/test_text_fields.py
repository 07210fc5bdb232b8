from engine.catalog.text_fields import from_text, to_text


def test_lines_round_trip_for_each_structured_kind():
    basis = [{"law": "《中华人民共和国食品安全法》", "article": "第三十五条", "text": "许可制度", "url": "https://flk.npc.gov.cn/"}]
    assert from_text("basis", to_text("basis", basis)) == (basis, None)
    materials = [{"name": "申请书", "copies": 2, "required": False, "note": "原件"}]
    assert from_text("materials", to_text("materials", materials)) == (materials, None)
    scale = [{"level": "一般", "description": "首次违法", "min_amount": 5000, "max_amount": 20000.5}]
    assert from_text("discretion", to_text("discretion", scale)) == (scale, None)


def test_typed_lines_are_forgiving_but_bad_numbers_are_located():
    value, problem = from_text("materials", "营业执照复印件\n申请书｜1｜是")
    assert problem is None
    assert value == [{"name": "营业执照复印件", "copies": 1, "required": True, "note": ""},
                     {"name": "申请书", "copies": 1, "required": True, "note": ""}]
    assert from_text("discretion", "轻微|首次|0|五千") == (None, "line 1: number expected")
