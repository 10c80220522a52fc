//! Demo data for the three runbooks, generated on the server (`$documents` + `$range` +
//! `$out`), so a million orders take seconds rather than a client-side insert loop.

use mongodb::bson::{doc, Bson, Document};
use mongodb::Client;

use crate::error::{Error, Result};

/// Names of the databases the demo data lives in.
#[derive(Debug, Clone)]
pub struct SeedTargets {
    /// Database of seed 002's collections (runbook steps-19-30).
    pub earlybird: String,
    /// Database holding `organizations` and `org_*` (runbook org-rename).
    pub master: String,
    /// Per-tenant databases (runbook tenant-restore).
    pub tenants: Vec<String>,
}

impl Default for SeedTargets {
    fn default() -> Self {
        SeedTargets {
            earlybird: "earlybird".into(),
            master: "master".into(),
            tenants: ["superkafe_negoes", "superkafe_tenant2", "superkafe_tenant3"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// How many documents each collection got.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SeedReport {
    /// `(database.collection, documents)` in creation order.
    pub collections: Vec<(String, u64)>,
}

/// The eight indexes of seed 002's step 30: collection, keys, name.
pub(crate) fn step30_indexes() -> Vec<(&'static str, Document, &'static str)> {
    vec![
        ("orders", doc! {"user_id": 1}, "user_id_1"),
        ("orders", doc! {"customer_id": 1}, "customer_id_1"),
        ("orders", doc! {"delivery_date": -1}, "delivery_date_-1"),
        ("subscriptions_v2", doc! {"customer_id": 1}, "customer_id_1"),
        ("subscriptions_v2", doc! {"status": 1}, "status_1"),
        (
            "delivery_statuses",
            doc! {"customer_id": 1, "delivery_date": -1},
            "customer_id_1_delivery_date_-1",
        ),
        ("billing_records", doc! {"customer_id": 1}, "customer_id_1"),
        (
            "billing_records",
            doc! {"period_date": -1},
            "period_date_-1",
        ),
    ]
}

/// Drops and recreates all demo databases; `orders` gets `scale` documents.
pub async fn seed(client: &Client, targets: &SeedTargets, scale: u64) -> Result<SeedReport> {
    let scale = scale.max(10);
    let mut report = SeedReport {
        collections: Vec::new(),
    };
    let mut all: Vec<&str> = vec![&targets.earlybird, &targets.master];
    all.extend(targets.tenants.iter().map(String::as_str));
    for db in all {
        client
            .database(db)
            .drop()
            .await
            .map_err(|e| Error::database(format!("cannot drop {db} before seeding"), e))?;
    }
    let db = targets.earlybird.as_str();
    let small = (scale / 10).max(1);
    for (collection, count, fields) in [
        ("orders", scale, orders()),
        (
            "delivery_statuses",
            (scale / 2).max(1),
            delivery_statuses(scale),
        ),
        ("users", small, users()),
        ("customers_v2", small, customers_v2()),
        (
            "subscriptions_v2",
            (scale / 20).max(1),
            subscriptions_v2(small),
        ),
        (
            "billing_records",
            (scale / 5).max(1),
            billing_records(scale, small),
        ),
    ] {
        generate(client, db, collection, count, fields).await?;
        report
            .collections
            .push((format!("{db}.{collection}"), count));
    }
    for (collection, keys, name) in step30_indexes() {
        create_index(client, db, collection, keys, name, None).await?;
    }
    seed_organizations(client, &targets.master, small, &mut report).await?;
    for (index, tenant) in targets.tenants.iter().enumerate() {
        let count = (scale / 100).max(20) + index as u64 * 7;
        generate(client, tenant, "menuitems", 200, menuitems()).await?;
        generate(client, tenant, "orders", count, tenant_orders()).await?;
        generate(client, tenant, "customers", 50, tenant_customers()).await?;
        create_index(
            client,
            tenant,
            "menuitems",
            doc! {"name": 1},
            "name_unique",
            Some(doc! {"unique": true}),
        )
        .await?;
        create_index(
            client,
            tenant,
            "menuitems",
            doc! {"category": 1},
            "category_1",
            None,
        )
        .await?;
        create_index(
            client,
            tenant,
            "orders",
            doc! {"createdAt": -1},
            "createdAt_-1",
            None,
        )
        .await?;
        create_index(
            client,
            tenant,
            "customers",
            doc! {"email": 1},
            "email_unique",
            Some(doc! {"unique": true}),
        )
        .await?;
        for (collection, n) in [("menuitems", 200), ("orders", count), ("customers", 50)] {
            report
                .collections
                .push((format!("{tenant}.{collection}"), n));
        }
    }
    Ok(report)
}

async fn seed_organizations(
    client: &Client,
    master: &str,
    small: u64,
    report: &mut SeedReport,
) -> Result<()> {
    let orgs = [
        ("acme", small),
        ("globex", (small / 2).max(1)),
        ("initech", (small / 4).max(1)),
    ];
    let documents: Vec<Document> = orgs
        .iter()
        .map(|(name, _)| {
            doc! {
                "organization_name": *name,
                "collection_name": format!("org_{name}"),
                "created_at": mongodb::bson::DateTime::from_millis(1_735_689_600_000),
                "updated_at": mongodb::bson::DateTime::from_millis(1_767_225_600_000),
            }
        })
        .collect();
    client
        .database(master)
        .collection::<Document>("organizations")
        .insert_many(documents)
        .await
        .map_err(|e| Error::database("cannot seed organizations", e))?;
    create_index(
        client,
        master,
        "organizations",
        doc! {"organization_name": 1},
        "organization_name_unique",
        Some(doc! {"unique": true}),
    )
    .await?;
    report
        .collections
        .push((format!("{master}.organizations"), orgs.len() as u64));
    for (name, count) in orgs {
        let collection = format!("org_{name}");
        generate(client, master, &collection, count, org_members()).await?;
        create_index(
            client,
            master,
            &collection,
            doc! {"email": 1},
            "email_unique",
            Some(doc! {"unique": true}),
        )
        .await?;
        create_index(
            client,
            master,
            &collection,
            doc! {"team": 1, "joined_at": -1},
            "team_1_joined_at_-1",
            None,
        )
        .await?;
        report
            .collections
            .push((format!("{master}.{collection}"), count));
    }
    Ok(())
}

/// Writes `count` generated documents into `db.collection`; `fields` are `$set` stages that
/// compute fields from the document number `$i`.
async fn generate(
    client: &Client,
    db: &str,
    collection: &str,
    count: u64,
    fields: Vec<Document>,
) -> Result<()> {
    let outer = count.div_ceil(1000);
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let mut pipeline = vec![
        doc! {"$documents": [{"a": {"$range": [0, i64::try_from(outer).unwrap_or(i64::MAX)]}}]},
        doc! {"$unwind": "$a"},
        doc! {"$set": {"b": {"$range": [0, 1000]}}},
        doc! {"$unwind": "$b"},
        doc! {"$project": {"i": {"$add": [{"$multiply": ["$a", 1000]}, "$b"]}}},
        doc! {"$match": {"i": {"$lt": count}}},
    ];
    pipeline.extend(fields);
    pipeline.push(doc! {"$unset": "i"});
    pipeline.push(doc! {"$out": {"db": db, "coll": collection}});
    client
        .database(db)
        .aggregate(pipeline)
        .await
        .map_err(|e| Error::database(format!("cannot generate {db}.{collection}"), e))?;
    Ok(())
}

async fn create_index(
    client: &Client,
    db: &str,
    collection: &str,
    keys: Document,
    name: &str,
    options: Option<Document>,
) -> Result<()> {
    let mut spec = doc! {"key": keys, "name": name};
    if let Some(options) = options {
        spec.extend(options);
    }
    client
        .database(db)
        .run_command(doc! {"createIndexes": collection, "indexes": [spec]})
        .await
        .map_err(|e| {
            Error::database(
                format!("cannot create index {name} on {db}.{collection}"),
                e,
            )
        })?;
    Ok(())
}

// ---- field generators: pure aggregation expressions of the document number `$i` ----

/// A pseudo-random number in `0..modulus`, different for each `salt`.
fn pick(salt: i64, modulus: i64) -> Bson {
    Bson::Document(
        doc! {"$mod": [{"$add": [{"$multiply": ["$i", 7919 + salt * 104_729]}, salt * 31]}, modulus]},
    )
}

fn id(prefix: &str, number: Bson) -> Bson {
    Bson::Document(doc! {"$concat": [prefix, {"$toString": number}]})
}

fn modulo(modulus: u64) -> Bson {
    Bson::Document(doc! {"$mod": ["$i", i64::try_from(modulus.max(1)).unwrap_or(1)]})
}

/// `then` when `condition` holds, otherwise the field is left out.
fn only_if(condition: Bson, then: Bson) -> Bson {
    Bson::Document(doc! {"$cond": [condition, then, "$$REMOVE"]})
}

fn below(value: Bson, limit: i64) -> Bson {
    Bson::Document(doc! {"$lt": [value, limit]})
}

fn days_after(base_millis: i64, days: Bson) -> Bson {
    Bson::Document(
        doc! {"$add": [mongodb::bson::DateTime::from_millis(base_millis), {"$multiply": [days, 86_400_000_i64]}]},
    )
}

const JAN_2026: i64 = 1_767_225_600_000;

fn orders() -> Vec<Document> {
    let status = doc! {"$switch": {"branches": [
        {"case": below(pick(1, 100), 55), "then": "DELIVERED"},
        {"case": below(pick(1, 100), 75), "then": "PENDING"},
        {"case": below(pick(1, 100), 92), "then": "CONFIRMED"},
    ], "default": "CANCELLED"}};
    vec![
        doc! {"$set": {
            "_id": id("ord-", Bson::String("$i".into())),
            "user_id": id("usr-", Bson::Document(doc! {"$mod": ["$i", 997]})),
            "customer_id": id("cus-", Bson::Document(doc! {"$mod": ["$i", 991]})),
            "status": status,
            "subscription_id": only_if(below(pick(2, 100), 60), id("sub-", Bson::Document(doc! {"$mod": ["$i", 499]}))),
            "delivery_date": days_after(JAN_2026, Bson::Document(doc! {"$mod": ["$i", 330]})),
            "created_at": {"$subtract": ["$$NOW", {"$multiply": [{"$mod": ["$i", 72]}, 3_600_000_i64]}]},
            "amount": {"$add": [60, {"$mod": ["$i", 240]}]},
            "items": [{"product_id": id("prd-", modulo(40)), "qty": {"$add": [1, {"$mod": ["$i", 3]}]}}],
        }},
        doc! {"$set": {
            "delivered_at": only_if(Bson::Document(doc! {"$eq": ["$status", "DELIVERED"]}), Bson::Document(doc! {"$add": ["$delivery_date", 25_200_000_i64]})),
            "delivery_confirmed": only_if(Bson::Document(doc! {"$eq": ["$status", "DELIVERED"]}), Bson::Boolean(true)),
            "billed": {"$cond": [{"$eq": ["$status", "DELIVERED"]}, true, {"$cond": [below(pick(3, 100), 30), false, "$$REMOVE"]}]},
        }},
    ]
}

fn delivery_statuses(orders: u64) -> Vec<Document> {
    let confirmed = below(pick(4, 100), 70);
    let method =
        doc! {"$arrayElemAt": [["delivery_boy", "shared_link", "admin"], {"$mod": ["$i", 3]}]};
    vec![doc! {"$set": {
        "_id": id("dlv-", Bson::String("$i".into())),
        "order_id": only_if(below(pick(5, 100), 85), id("ord-", Bson::Document(doc! {"$mod": [{"$multiply": ["$i", 2]}, i64::try_from(orders).unwrap_or(1)]}))),
        "customer_id": id("cus-", Bson::Document(doc! {"$mod": ["$i", 991]})),
        "delivery_date": days_after(JAN_2026, Bson::Document(doc! {"$mod": ["$i", 330]})),
        "status": "delivered",
        "confirmed_by_user_id": only_if(confirmed.clone(), id("usr-", Bson::Document(doc! {"$mod": ["$i", 97]}))),
        "confirmed_by_name": only_if(confirmed.clone(), id("Delivery Agent ", Bson::Document(doc! {"$mod": ["$i", 97]}))),
        "confirmed_at": only_if(confirmed.clone(), days_after(JAN_2026, Bson::Document(doc! {"$mod": ["$i", 330]}))),
        "confirmation_method": only_if(confirmed.clone(), Bson::Document(method)),
        "ip_address": only_if(confirmed.clone(), Bson::Document(doc! {"$concat": ["10.0.", {"$toString": {"$mod": ["$i", 250]}}, ".", {"$toString": {"$mod": ["$i", 251]}}]})),
        "device_info": only_if(confirmed, Bson::String("Mozilla/5.0 (Linux; Android 14) Mobile".into())),
        "items": only_if(below(pick(6, 100), 60), Bson::Array(vec![Bson::Document(doc! {
            "product_id": id("prd-", modulo(40)),
            "ordered_qty": 2,
            "delivered_qty": {"$mod": ["$i", 3]},
            "status": {"$arrayElemAt": [["shortage", "partial", "full"], {"$mod": ["$i", 3]}]},
        })])),
    }}]
}

fn users() -> Vec<Document> {
    vec![doc! {"$set": {
        "_id": id("usr-", Bson::String("$i".into())),
        "email": {"$concat": ["user", {"$toString": "$i"}, "@example.com"]},
        "name": {"$concat": ["User ", {"$toString": "$i"}]},
        "role": {"$arrayElemAt": [["customer", "customer", "customer", "delivery_boy", "admin"], {"$mod": ["$i", 5]}]},
        "customer_v2_id": only_if(below(pick(7, 100), 70), id("cus-", Bson::String("$i".into()))),
    }}]
}

fn customers_v2() -> Vec<Document> {
    vec![doc! {"$set": {
        "_id": id("cus-", Bson::String("$i".into())),
        "email": {"$concat": ["user", {"$toString": "$i"}, "@example.com"]},
        "name": {"$concat": ["Customer ", {"$toString": "$i"}]},
        "phone": {"$concat": ["+91-98", {"$toString": {"$add": [10_000_000, "$i"]}}]},
        "user_id": only_if(below(pick(7, 100), 70), id("usr-", Bson::String("$i".into()))),
    }}]
}

fn subscriptions_v2(customers: u64) -> Vec<Document> {
    vec![doc! {"$set": {
        "_id": id("sub-", Bson::String("$i".into())),
        "customer_id": id("cus-", modulo(customers)),
        "status": {"$arrayElemAt": [["active", "active", "paused", "cancelled"], {"$mod": ["$i", 4]}]},
        "plan": {"$arrayElemAt": [["daily-milk", "alternate-days", "weekly"], {"$mod": ["$i", 3]}]},
        "started_at": days_after(JAN_2026, Bson::Document(doc! {"$mod": ["$i", 200]})),
    }}]
}

fn billing_records(orders: u64, customers: u64) -> Vec<Document> {
    vec![doc! {"$set": {
        "_id": id("bil-", Bson::String("$i".into())),
        "customer_id": id("cus-", modulo(customers)),
        "period_date": days_after(JAN_2026, Bson::Document(doc! {"$multiply": [{"$mod": ["$i", 11]}, 30]})),
        "amount": {"$add": [130, {"$mod": ["$i", 900]}]},
        "order_id": only_if(below(pick(8, 100), 40), id("ord-", Bson::Document(doc! {"$mod": [{"$multiply": ["$i", 5]}, i64::try_from(orders).unwrap_or(1)]}))),
    }}]
}

fn org_members() -> Vec<Document> {
    vec![doc! {"$set": {
        "_id": {"$toObjectId": {"$concat": ["65a1b2c3d4e5f6", {"$substrBytes": [{"$toString": {"$add": [10_000_000_000_i64, "$i"]}}, 1, 10]}]}},
        "email": {"$concat": ["member", {"$toString": "$i"}, "@corp.example"]},
        "team": {"$arrayElemAt": [["platform", "payments", "support", "growth"], {"$mod": ["$i", 4]}]},
        "joined_at": days_after(JAN_2026, Bson::Document(doc! {"$mod": ["$i", 300]})),
        "score": {"$divide": [{"$mod": ["$i", 1000]}, 10]},
        "tags": [{"$concat": ["t", {"$toString": {"$mod": ["$i", 7]}}]}],
    }}]
}

fn menuitems() -> Vec<Document> {
    vec![doc! {"$set": {
        "name": {"$concat": ["Item ", {"$toString": "$i"}]},
        "category": {"$arrayElemAt": [["coffee", "tea", "pastry", "sandwich"], {"$mod": ["$i", 4]}]},
        "price": {"$toDecimal": {"$add": [15000, {"$multiply": [{"$mod": ["$i", 20]}, 1000]}]}},
        "available": {"$eq": [{"$mod": ["$i", 5]}, 0]},
    }}]
}

fn tenant_orders() -> Vec<Document> {
    vec![doc! {"$set": {
        "orderNumber": {"$concat": ["SK-", {"$toString": "$i"}]},
        "total": {"$add": [20000, {"$mod": ["$i", 90000]}]},
        "createdAt": days_after(JAN_2026, Bson::Document(doc! {"$mod": ["$i", 120]})),
        "status": {"$arrayElemAt": [["paid", "pending", "cancelled"], {"$mod": ["$i", 3]}]},
    }}]
}

fn tenant_customers() -> Vec<Document> {
    vec![doc! {"$set": {
        "email": {"$concat": ["guest", {"$toString": "$i"}, "@superkafe.example"]},
        "name": {"$concat": ["Guest ", {"$toString": "$i"}]},
        "visits": {"$mod": ["$i", 17]},
    }}]
}
