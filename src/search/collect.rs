//! A collector that counts all matches by study, kind and speaker (string fast fields).

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use super::{Bucket, Counts};

const FIELDS: [&str; 3] = ["study_name", "kind", "speaker_name"];

/// Counts matches by the values of [`FIELDS`].
pub struct CountsCollector;

pub struct SegmentCounts {
    columns: Vec<Option<StrColumn>>,
    ords: Vec<Vec<u64>>,
}

impl Collector for CountsCollector {
    type Fruit = Counts;
    type Child = SegmentCounts;

    fn for_segment(&self, _ord: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentCounts> {
        let mut columns = Vec::new();
        let mut ords = Vec::new();
        for f in FIELDS {
            let col = reader.fast_fields().str(f)?;
            ords.push(vec![0; col.as_ref().map(|c| c.num_terms()).unwrap_or(0)]);
            columns.push(col);
        }
        Ok(SegmentCounts { columns, ords })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Counts>) -> tantivy::Result<Counts> {
        let mut maps: [HashMap<String, i64>; 3] = Default::default();
        for fruit in fruits {
            for (i, buckets) in [fruit.study, fruit.kind, fruit.speaker].into_iter().enumerate() {
                for b in buckets {
                    *maps[i].entry(b.value).or_default() += b.count;
                }
            }
        }
        let [study, kind, speaker] = maps.map(sorted);
        Ok(Counts { study, kind, speaker })
    }
}

fn sorted(map: HashMap<String, i64>) -> Vec<Bucket> {
    let mut v: Vec<Bucket> = map.into_iter().map(|(value, count)| Bucket { value, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Counts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (col, counts) in self.columns.iter().zip(self.ords.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
    }

    fn harvest(self) -> Counts {
        let mut out: [Vec<Bucket>; 3] = Default::default();
        for (i, (col, counts)) in self.columns.iter().zip(self.ords.iter()).enumerate() {
            let Some(col) = col else { continue };
            let mut value = String::new();
            for (ord, &count) in counts.iter().enumerate() {
                if count > 0 && col.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                    out[i].push(Bucket { value: value.clone(), count: count as i64 });
                }
            }
        }
        let [study, kind, speaker] = out;
        Counts { study, kind, speaker }
    }
}
