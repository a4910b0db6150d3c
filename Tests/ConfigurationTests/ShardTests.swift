import Configuration
import Testing

@Suite("Configuration: shards")
struct ShardTests {
    @Test func shardsParseWithinBounds() {
        #expect(Shard("2/3") == Shard(index: 2, count: 3) && Shard("2/3") != nil)
        #expect(Shard("0/10000") != nil)
        for text in ["3/3", "0/10001", "1/", "/2", "-1/3", "a/b", "1/2/3", "", "0/0"] {
            #expect(Shard(text) == nil, "\(text)")
        }
    }
}
