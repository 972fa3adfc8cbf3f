// SPDX-License-Identifier: UNLICENSED
pragma solidity ^0.8.24;

/// @title Carbon credit registry of the platform.
/// @notice ERC-1155-shaped ledger: one token id per project vintage batch, balances in
/// kilograms of CO2e. Plain Solidity (no OpenZeppelin) so it compiles offline with solc-js.
/// It keeps the ERC-1155 balance reads but not its transfer surface (no approvals, no
/// receiver hooks, no TransferSingle): each action emits exactly one platform event, which
/// is what the off-chain indexer follows. Holders or platform operators move balances.
///
/// Kilograms have global coordinates per token: kilogram `k` belongs to serial `k / 1000`
/// (one serial per tonne). A batch minted from `serialStart` owns the kilograms
/// `serialStart * 1000 .. serialStart * 1000 + amountKg - 1`. A retirement names the
/// kilogram range it burns, and the registry refuses a range holding any kilogram that an
/// earlier retirement of the token burnt, whatever order the retirements were mined in.
contract CarbonRegistry {
    struct Project {
        bool registered;
        bool suspended;
        bytes32 bundleHash;
        string metadataUri;
    }

    struct Batch {
        bool minted;
        bytes32 projectKey;
        uint16 vintage;
        uint256 amountKg;
        uint256 serialStart;
        uint256 serialEnd;
    }

    uint256 private constant KG_PER_TONNE = 1000;
    /// The highest serial whose kilograms all have a uint256 coordinate.
    uint256 private constant MAX_SERIAL = (type(uint256).max - (KG_PER_TONNE - 1)) / KG_PER_TONNE;
    // Kinds of bitmap words in `_retiredBits` (see `_slot`).
    uint256 private constant FULL = 0;
    uint256 private constant TOUCHED = 1;

    address public owner;
    mapping(address => bool) public isOperator;
    mapping(bytes32 => Project) public projects;
    mapping(uint256 => Batch) public batches;
    mapping(uint256 => uint256) public totalSupply;
    mapping(uint256 => uint256) public retiredKg;
    mapping(uint256 => mapping(address => uint256)) private _balances;
    /// Retired kilograms of each token, as a tree of bitmaps with 256 branches: a node of
    /// level L covers the 256^L kilograms `n * 256^L ..`, so level 0 is one bit per kilogram
    /// and the word of level L at index w holds the bits of the 256 children of node w of
    /// level L + 1. A FULL bit marks a node that one retirement burnt whole; a TOUCHED bit
    /// (levels >= 1) marks a node under which some kilogram is burnt. A range splits into at
    /// most two words per level, so a retirement reads and writes a few dozen words whatever
    /// its size (one million tonnes included), instead of one bit per tonne or kilogram.
    mapping(uint256 => mapping(uint256 => uint256)) private _retiredBits;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event OperatorSet(address indexed operator, bool enabled);
    event ProjectRecordMinted(bytes32 indexed projectKey, bytes32 bundleHash, string metadataUri);
    event ProjectConfigured(bytes32 indexed projectKey, bytes32 bundleHash, string metadataUri);
    event ProjectSuspended(bytes32 indexed projectKey, string reason);
    event CreditsMinted(
        uint256 indexed tokenId,
        bytes32 indexed projectKey,
        uint16 vintage,
        address indexed to,
        uint256 amountKg,
        uint256 serialStart,
        uint256 serialEnd
    );
    event CreditsTransferred(
        uint256 indexed tokenId, address indexed from, address indexed to, uint256 amountKg
    );
    event CreditsRetired(
        uint256 indexed tokenId,
        address indexed holder,
        uint256 amountKg,
        string beneficiary,
        string purpose,
        uint256 serialStart,
        uint256 serialEnd,
        uint256 kgStart,
        uint256 kgEnd
    );

    error NotOwner(address caller);
    error NotOperator(address caller);
    error NotHolderOrOperator(address caller, address holder);
    error ZeroAddress();
    error ZeroAmount();
    error ProjectAlreadyRegistered(bytes32 projectKey);
    error ProjectNotRegistered(bytes32 projectKey);
    error ProjectIsSuspended(bytes32 projectKey);
    error TokenAlreadyMinted(uint256 tokenId);
    error TokenNotMinted(uint256 tokenId);
    error SerialRangeMismatch(uint256 serialStart, uint256 serialEnd, uint256 amountKg);
    error SerialOutOfRange(uint256 serialEnd);
    error InvalidKilogramRange(uint256 kgStart, uint256 kgEnd);
    error RangeOutsideBatch(uint256 tokenId, uint256 kgStart, uint256 kgEnd);
    error KilogramsAlreadyRetired(uint256 tokenId, uint256 kgStart, uint256 kgEnd);
    error InsufficientBalance(uint256 tokenId, address holder, uint256 balance, uint256 amountKg);
    error LengthMismatch(uint256 accounts, uint256 tokenIds);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    modifier onlyOperator() {
        if (!isOperator[msg.sender]) revert NotOperator(msg.sender);
        _;
    }

    modifier holderOrOperator(address holder) {
        if (msg.sender != holder && !isOperator[msg.sender]) {
            revert NotHolderOrOperator(msg.sender, holder);
        }
        _;
    }

    constructor() {
        owner = msg.sender;
        isOperator[msg.sender] = true;
        emit OwnershipTransferred(address(0), msg.sender);
        emit OperatorSet(msg.sender, true);
    }

    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    function setOperator(address operator, bool enabled) external onlyOwner {
        isOperator[operator] = enabled;
        emit OperatorSet(operator, enabled);
    }

    function registerProject(bytes32 projectKey, bytes32 bundleHash, string calldata metadataUri)
        external
        onlyOperator
    {
        Project storage project = projects[projectKey];
        if (project.registered) revert ProjectAlreadyRegistered(projectKey);
        project.registered = true;
        project.bundleHash = bundleHash;
        project.metadataUri = metadataUri;
        emit ProjectRecordMinted(projectKey, bundleHash, metadataUri);
    }

    /// @notice Records a new PoAI bundle or metadata for the project and lifts a suspension.
    function configureProject(bytes32 projectKey, bytes32 bundleHash, string calldata metadataUri)
        external
        onlyOperator
    {
        Project storage project = projects[projectKey];
        if (!project.registered) revert ProjectNotRegistered(projectKey);
        project.suspended = false;
        project.bundleHash = bundleHash;
        project.metadataUri = metadataUri;
        emit ProjectConfigured(projectKey, bundleHash, metadataUri);
    }

    /// @notice Stops new issuance for the project; existing credits keep moving and retiring.
    function suspendProject(bytes32 projectKey, string calldata reason) external onlyOperator {
        Project storage project = projects[projectKey];
        if (!project.registered) revert ProjectNotRegistered(projectKey);
        if (project.suspended) revert ProjectIsSuspended(projectKey);
        project.suspended = true;
        emit ProjectSuspended(projectKey, reason);
    }

    /// @notice Mints `amountKg` to `to`; the serials are one per started tonne, so
    /// `serialEnd - serialStart + 1` must equal `ceil(amountKg / 1000)`.
    function mintBatch(
        uint256 tokenId,
        bytes32 projectKey,
        uint16 vintage,
        uint256 amountKg,
        uint256 serialStart,
        uint256 serialEnd,
        address to
    ) external onlyOperator {
        Project storage project = projects[projectKey];
        if (!project.registered) revert ProjectNotRegistered(projectKey);
        if (project.suspended) revert ProjectIsSuspended(projectKey);
        if (batches[tokenId].minted) revert TokenAlreadyMinted(tokenId);
        if (to == address(0)) revert ZeroAddress();
        if (amountKg == 0) revert ZeroAmount();
        uint256 tonnes = amountKg / KG_PER_TONNE + (amountKg % KG_PER_TONNE == 0 ? 0 : 1);
        if (serialEnd < serialStart || serialEnd - serialStart != tonnes - 1) {
            revert SerialRangeMismatch(serialStart, serialEnd, amountKg);
        }
        if (serialEnd > MAX_SERIAL) revert SerialOutOfRange(serialEnd);
        batches[tokenId] = Batch(true, projectKey, vintage, amountKg, serialStart, serialEnd);
        totalSupply[tokenId] = amountKg;
        _balances[tokenId][to] = amountKg;
        emit CreditsMinted(tokenId, projectKey, vintage, to, amountKg, serialStart, serialEnd);
    }

    function transfer(uint256 tokenId, address from, address to, uint256 amountKg)
        external
        holderOrOperator(from)
    {
        if (to == address(0)) revert ZeroAddress();
        if (amountKg == 0) revert ZeroAmount();
        _debit(tokenId, from, amountKg);
        _balances[tokenId][to] += amountKg;
        emit CreditsTransferred(tokenId, from, to, amountKg);
    }

    /// @notice Burns the kilograms `kgStart..kgEnd` (inclusive) of the holder's credits for
    /// good. Reverts with `KilogramsAlreadyRetired` when any of them was retired before.
    function retire(
        uint256 tokenId,
        address holder,
        uint256 kgStart,
        uint256 kgEnd,
        string calldata beneficiary,
        string calldata purpose
    ) external holderOrOperator(holder) {
        _burnRange(tokenId, holder, kgStart, kgEnd);
        _emitRetired(tokenId, holder, kgStart, kgEnd, beneficiary, purpose);
    }

    /// @notice Whether any kilogram of `kgStart..kgEnd` (inclusive) of the token is retired;
    /// kilograms outside the batch never are.
    function retiredInRange(uint256 tokenId, uint256 kgStart, uint256 kgEnd)
        external
        view
        returns (bool)
    {
        Batch storage batch = batches[tokenId];
        if (!batch.minted || kgStart > kgEnd) return false;
        (uint256 first, uint256 last) = _kilograms(batch);
        if (kgEnd < first || kgStart > last) return false;
        uint256 lo = kgStart < first ? first : kgStart;
        uint256 hi = kgEnd > last ? last : kgEnd;
        uint256 top = _topLevel(batch.amountKg);
        return !_clear(tokenId, _pieces(lo, hi, top), top);
    }

    function balanceOf(address account, uint256 tokenId) external view returns (uint256) {
        return _balances[tokenId][account];
    }

    function balanceOfBatch(address[] calldata accounts, uint256[] calldata tokenIds)
        external
        view
        returns (uint256[] memory balances)
    {
        if (accounts.length != tokenIds.length) {
            revert LengthMismatch(accounts.length, tokenIds.length);
        }
        balances = new uint256[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            balances[i] = _balances[tokenIds[i]][accounts[i]];
        }
    }

    function _debit(uint256 tokenId, address holder, uint256 amountKg) private {
        uint256 balance = _balances[tokenId][holder];
        if (balance < amountKg) revert InsufficientBalance(tokenId, holder, balance, amountKg);
        unchecked {
            _balances[tokenId][holder] = balance - amountKg;
        }
    }

    // --- retired kilograms -------------------------------------------------------------------

    /// The event, with the texts in memory: the calldata ones take two stack slots each,
    /// one too many for the encoder.
    function _emitRetired(
        uint256 tokenId,
        address holder,
        uint256 kgStart,
        uint256 kgEnd,
        string memory beneficiary,
        string memory purpose
    ) private {
        emit CreditsRetired(
            tokenId,
            holder,
            kgEnd - kgStart + 1,
            beneficiary,
            purpose,
            kgStart / KG_PER_TONNE,
            kgEnd / KG_PER_TONNE,
            kgStart,
            kgEnd
        );
    }

    /// Checks the range against the batch and earlier retirements, marks it retired and
    /// debits the holder.
    function _burnRange(uint256 tokenId, address holder, uint256 kgStart, uint256 kgEnd) private {
        if (kgStart > kgEnd) revert InvalidKilogramRange(kgStart, kgEnd);
        Batch storage batch = batches[tokenId];
        if (!batch.minted) revert TokenNotMinted(tokenId);
        (uint256 first, uint256 last) = _kilograms(batch);
        if (kgStart < first || kgEnd > last) revert RangeOutsideBatch(tokenId, kgStart, kgEnd);
        uint256 top = _topLevel(batch.amountKg);
        uint256[3][] memory pieces = _pieces(kgStart, kgEnd, top);
        if (!_clear(tokenId, pieces, top)) revert KilogramsAlreadyRetired(tokenId, kgStart, kgEnd);
        _mark(tokenId, pieces, top);
        uint256 amountKg = kgEnd - kgStart + 1;
        _debit(tokenId, holder, amountKg);
        totalSupply[tokenId] -= amountKg;
        retiredKg[tokenId] += amountKg;
    }

    function _kilograms(Batch storage batch) private view returns (uint256 first, uint256 last) {
        first = batch.serialStart * KG_PER_TONNE;
        last = first + batch.amountKg - 1;
    }

    /// The highest level a node of which fits in a batch of `amountKg`: no range of the
    /// batch can cover a node above it, so FULL and TOUCHED bits stop there.
    function _topLevel(uint256 amountKg) private pure returns (uint256 top) {
        while (top < 31 && amountKg >> (8 * (top + 1)) != 0) ++top;
    }

    /// Splits `lo..hi` into the fewest nodes of levels up to `top`, as (level, word, mask)
    /// pieces: at each level the range's ragged ends fill at most one word each, and what
    /// lies between is whole nodes of the level above. Below `top` at most two pieces per
    /// level; at `top` the range's whole nodes are fewer than 256, so two words at most.
    function _pieces(uint256 lo, uint256 hi, uint256 top)
        private
        pure
        returns (uint256[3][] memory pieces)
    {
        pieces = new uint256[3][](2 * top + 2);
        uint256 count = 0;
        for (uint256 level = 0;; ++level) {
            if (lo >> 8 == hi >> 8 || level == top) {
                for (uint256 word = lo >> 8; word <= hi >> 8; ++word) {
                    uint256 from = word == lo >> 8 ? lo & 255 : 0;
                    uint256 to = word == hi >> 8 ? hi & 255 : 255;
                    pieces[count++] = [level, word, _mask(from, to)];
                }
                break;
            }
            if (lo & 255 != 0) {
                pieces[count++] = [level, lo >> 8, _mask(lo & 255, 255)];
                lo = (lo >> 8) + 1;
            } else {
                lo >>= 8;
            }
            if (hi & 255 != 255) {
                pieces[count++] = [level, hi >> 8, _mask(0, hi & 255)];
                hi = (hi >> 8) - 1; // lo >> 8 < hi >> 8 here, so no underflow
            } else {
                hi >>= 8;
            }
            if (lo > hi) break;
        }
        assembly ("memory-safe") {
            mstore(pieces, count)
        }
    }

    /// True when no kilogram under the pieces is retired: neither the pieces' nodes nor
    /// anything under them (FULL or TOUCHED bits), nor any node above them (FULL bits of
    /// their ancestors up to `top`).
    function _clear(uint256 tokenId, uint256[3][] memory pieces, uint256 top)
        private
        view
        returns (bool)
    {
        mapping(uint256 => uint256) storage bits = _retiredBits[tokenId];
        for (uint256 i = 0; i < pieces.length; ++i) {
            (uint256 level, uint256 word, uint256 mask) = (pieces[i][0], pieces[i][1], pieces[i][2]);
            uint256 taken = bits[_slot(FULL, level, word)];
            if (level > 0) taken |= bits[_slot(TOUCHED, level, word)];
            if (taken & mask != 0) return false;
            for (uint256 up = level + 1; up <= top; ++up) {
                if (bits[_slot(FULL, up, word >> 8)] & (1 << (word & 255)) != 0) return false;
                word >>= 8;
            }
        }
        return true;
    }

    /// Sets the pieces' FULL bits and the TOUCHED bits of their ancestors up to `top`.
    function _mark(uint256 tokenId, uint256[3][] memory pieces, uint256 top) private {
        mapping(uint256 => uint256) storage bits = _retiredBits[tokenId];
        for (uint256 i = 0; i < pieces.length; ++i) {
            (uint256 level, uint256 word, uint256 mask) = (pieces[i][0], pieces[i][1], pieces[i][2]);
            bits[_slot(FULL, level, word)] |= mask;
            for (uint256 up = level + 1; up <= top; ++up) {
                bits[_slot(TOUCHED, up, word >> 8)] |= 1 << (word & 255);
                word >>= 8;
            }
        }
    }

    /// Bits `from..to` (inclusive) of a word.
    function _mask(uint256 from, uint256 to) private pure returns (uint256) {
        return (type(uint256).max >> (255 - (to - from))) << from;
    }

    /// Key of a bitmap word: a word index of level L is below 2^(248 - 8L), which leaves the
    /// top byte for the level (5 bits) and the kind (1 bit).
    function _slot(uint256 kind, uint256 level, uint256 word) private pure returns (uint256) {
        return (level << 249) | (kind << 248) | word;
    }
}
