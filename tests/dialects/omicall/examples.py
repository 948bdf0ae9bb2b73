"""The documents' own examples (seeds 000 and 001, provider-apis.md §2), as JSON.

Copied from the documents with only what keeps them JSON removed: the `//` comments,
the "......" elision, and `call_pricing { }` written as `"call_pricing": {}`. The
contract tests check that vpbx answers with every field here, in the same JSON type.
"""

from __future__ import annotations

from typing import Any

# Seed 000: GET /api/partner/public_number/list
PUBLIC_NUMBER_LIST: dict[str, Any] = {
    "status_code": 9999,
    "payload": {
        "next_page": 2,
        "page_number": 1,
        "has_previous": False,
        "has_next": True,
        "total_pages": 3,
        "previous_page": 1,
        "items": [
            {
                "created_date": 1583725991806,
                "last_updated_date": 1601005495717,
                "number": "842477778823",
                "provider": "Itelecom",
                "provider_type": "itel",
                "number_type": "fixed",
                "nation": "vn",
                "maintaining_prices": [
                    {"currency": "VND", "price": 22000},
                    {"currency": "USD", "price": 0.977},
                ],
                "call_pricing": {},
            },
            {
                "created_date": 1583725991806,
                "last_updated_date": 1601092490032,
                "number": "842477778814",
                "provider": "Itelecom",
                "provider_type": "itel",
                "number_type": "fixed",
                "nation": "vn",
            },
        ],
        "total_items": 140,
        "page_size": 50,
    },
    "key_enabled": False,
}

# Seed 001: GET /api/call_center/internal_phone/list
INTERNAL_PHONE_LIST: dict[str, Any] = {
    "status_code": 9999,
    "instance_id": "stg",
    "instance_name": "DESKTOP-3I0NHO0",
    "payload": {
        "items": [
            {
                "domain": "omiteam",
                "outbound_proxy": "wss://wssvn.omicrm.com",
                "sip_user": "147",
                "password": "XXXXXX",
                "full_name": "Đỗ Thị Hồng Vy",
                "email": "dohongvyzyt@gmail.com",
                "public_number": "84256336xxxx",
                "last_updated_date": 1575269373331,
                "created_date": 1575251355778,
            },
            {
                "domain": "omiteam",
                "outbound_proxy": "wss://wssvn.omicrm.com",
                "sip_user": "145",
                "password": "kiyyzsefxx",
                "full_name": "Hồng Ngọc",
                "email": "vykh252tn1998@gmail.com",
                "public_number": "84256336xxxx",
                "last_updated_date": 1574999296765,
                "created_date": 1574133910912,
            },
        ],
        "page_number": 1,
        "page_size": 2,
        "total_items": 30,
        "total_pages": 15,
        "has_next": True,
        "next_page": 2,
        "has_previous": False,
        "previous_page": 1,
    },
    "key_enabled": False,
}

# Seed 001: GET /api/call_center/hotline/list?extension=
HOTLINE_LIST: dict[str, Any] = {
    "status_code": 9999,
    "instance_id": "stg",
    "instance_version": "1.2.163",
    "payload": ["024********", "842*********"],
    "key_enabled": False,
}

_MEMBER = {
    "agent_id": "62d563113127de2eac6b8cbf",
    "contact_id": "62d563113127de2eac6b8cbe",
    "order": 0,
    "view": None,
    "timeout": 30,
    "sip_user": None,
    "hold_music_id": None,
}

# Seed 001: GET /api/call_center/internal_group/get_all (the first of three groups;
# the other two have the same fields, the third with last_update_by null). agent_id /
# contact_id are null for a member extension without a person, so only their presence
# is checked there.
INTERNAL_GROUP_GET_ALL: dict[str, Any] = {
    "status_code": 9999,
    "instance_id": "stg",
    "instance_version": "1.2.163",
    "payload": [
        {
            "_id": "62ff11b208d4bf3ea694a6f3",
            "tenant_id": "6209c98461c1cb163ded25f7",
            "group_name": "Nhóm Tech",
            "group_name_unsigned": "Nhom Tech",
            "group_number": "38011",
            "created_date": 1660883378087,
            "last_updated_date": 1661221667904,
            "create_by": {"id": "6209c98561c1cb163ded25fa", "name": "OMI Hotline"},
            # An object, or null for a group never edited (the document's third group).
            "last_update_by": None,
            "is_deleted": False,
            "note": None,
            "members": [{**_MEMBER, "agent_id": None, "contact_id": None}],
            "is_forward_to_user_owner": None,
            "is_forward_to_outer_group": False,
            "outer_group_id": None,
            "strategy": "enterprise",
            "ring_back_id": "",
            "ring_back_name": None,
            "is_answer": "false",
            "target_timeout_type": "",
            "target_timeout": "",
            "target_timeout_name": None,
            "ring_group_type": 0,
            "ring_group_wait_time": 0,
            "ring_group_wait_time_sequence": 2,
            "ring_group_type_result": None,
            "enable_criteria": False,
            "criterias": [],
        }
    ],
    "key_enabled": False,
}

# provider-apis.md §2.1: GET /api/auth?apiKey=
AUTH: dict[str, Any] = {
    "status_code": 9999,
    "instance_id": "stg",
    "instance_name": "…",
    "payload": {"access_token": "<JWT>", "access_type": "normal", "token_type": "Bearer"},
    "key_enabled": False,
}

# provider-apis.md §2.1: the failure envelope (click-to-call example)
FAILURE: dict[str, Any] = {
    "status_code": -9999,
    "instance_id": "stg",
    "instance_version": "1.2.163",
    "payload": {
        "status": "fail",
        "error": "data_is_required",
        "message": "Please check your input param",
    },
    "key_enabled": False,
}

# provider-apis.md §2.2: GET /api/partner/me (field list; values are placeholders)
PARTNER_ME: dict[str, Any] = {
    "full_name": "Partner",
    "email": None,
    "description": "",
    "enabled": True,
    "status": "activated",
    "paid_type": "postpaid",
    "nation": "vn",
    "currency": "VND",
    "language": "vi",
    "balance": 0,
}

# provider-apis.md §2.2: POST /api/partner/tenant/add → payload {id}
TENANT_ADDED: dict[str, Any] = {"id": "6209c98461c1cb163ded25f7"}

# provider-apis.md §2.3: GET /api/tenant/detail (field list; values are placeholders;
# domain_expire and expire_date are null in vpbx: its tenants do not expire)
TENANT_DETAIL: dict[str, Any] = {
    "full_name": "Shop",
    "email": "owner@shop.vn",
    "description": "",
    "enabled": True,
    "domain": "shop",
    "domain_fusion": "shop.vpbx.local",
    "domain_expire": None,
    "effective_date": 1660883378087,
    "expire_date": None,
    "phone": None,
    "status": "activated",
    "paid_type": "postpaid",
    "nation": "vn",
    "currency": "VND",
    "language": "vi",
    "balance": 0,
    "public_numbers": [
        {"number": "842477778823", "provider": "", "expire_date": 1660883378087, "status": "active"}
    ],
    "service_package": {"code_name": "vpbx", "service_name": "vpbx", "staff_num": None},
}
